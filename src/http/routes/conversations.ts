/**
 * The WhatsApp inbox: GET /api/conversations (one row per contact — the latest message, the unread count; paged,
 * newest first), GET /api/contacts/:id/messages (a contact's messages, newest first, paged),
 * POST /api/conversations/:contactId/read (mark the contact's inbound messages read), and
 * GET /api/messages/:id/media/:index (a stored media file). An agent sees only contacts assigned to them: anything
 * else answers 404, exactly like a contact that does not exist.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { audit } from "../actor.ts";
import { validate } from "../body.ts";
import { contentDisposition } from "../content-disposition.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

const paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const idParam = z.coerce.number().int().positive();

/** A path parameter, reported under its own name (`id`, `contactId`) when it is bad. */
const pathParam = <S extends z.ZodType>(schema: S, raw: string | undefined, name: string): z.infer<S> => validate(schema, raw, "validation", name);

/** The contact, if it exists and the signed-in user may see it. */
function visibleContact(c: Context<AppEnv>, deps: HttpDeps, raw: string | undefined, field: string) {
  const id = pathParam(idParam, raw, field);
  const contact = deps.services().contacts.byId(id);
  const user = c.get("user");
  if (!contact || (user.role === "agent" && contact.ownerId !== user.id)) throw new AppError("not_found", `no contact ${id}`, field);
  return contact;
}

export function conversationRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .get("/conversations", (c) => {
      const q = validate(paging, c.req.query());
      const user = c.get("user");
      return c.json(deps.services().messages.conversations({ ...q, ownerId: user.role === "agent" ? user.id : undefined }));
    })
    .post("/conversations/:contactId/read", (c) => {
      const contact = visibleContact(c, deps, c.req.param("contactId"), "contactId");
      const marked = deps.services().messages.markRead(contact.id);
      audit(c, deps, "conversation.read", contact.id, { marked });
      return c.json({ contactId: contact.id, marked });
    })
    .get("/contacts/:id/messages", (c) => {
      const contact = visibleContact(c, deps, c.req.param("id"), "id");
      const q = validate(paging, c.req.query());
      return c.json(deps.services().messages.ofContact(contact.id, q.page, q.limit));
    })
    .get("/messages/:id/media/:index", async (c) => {
      const id = pathParam(idParam, c.req.param("id"), "id");
      const index = pathParam(z.coerce.number().int().min(0).max(20), c.req.param("index"), "index");
      const services = deps.services();
      const message = services.messages.byId(id);
      if (message) visibleContact(c, deps, String(message.contactId), "id");
      const media = message?.media?.[index];
      const path = media ? services.whatsapp.media.resolve(media.path) : undefined;
      const file = path ? Bun.file(path) : undefined;
      if (!media || !file || !(await file.exists())) throw new AppError("not_found", "no such media");
      return new Response(file, {
        headers: {
          "content-type": media.mime,
          // shown inline only when it cannot run script in our origin; anything else downloads
          "content-disposition": contentDisposition(/^(image\/(jpeg|png|gif|webp)|audio\/|video\/)/.test(media.mime) ? "inline" : "attachment", media.name ?? media.path, media.path),
          "x-content-type-options": "nosniff",
          "cache-control": "private, max-age=3600",
        },
      });
    });
}
