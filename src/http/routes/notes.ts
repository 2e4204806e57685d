/**
 * Notes on a contact (mounted at /api/contacts/:id/notes): GET (paged, newest first), POST {text} → 201,
 * PATCH /:noteId {text}, DELETE /:noteId → 204. A note is changed or deleted by its author, an owner or an admin.
 * Out of an agent's scope the contact (and so its notes) answers 404.
 */
import { Hono } from "hono";
import { z } from "zod";
import { audit, idParam, scopeOf } from "../actor.ts";
import { readJson, validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

const noteBody = z.object({ text: z.string().trim().min(1, "is required").max(10_000) });
const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function noteRoutes(deps: HttpDeps) {
  /** The contact of the path, checked to be in the user's scope. */
  const contactId = (c: Parameters<typeof scopeOf>[0]) => deps.services().contacts.get(idParam(c, "id"), scopeOf(c)).id;
  return new Hono<AppEnv>()
    .get("/", (c) => c.json(deps.services().notes.list(contactId(c), validate(pageQuery, c.req.query()))))
    .post("/", async (c) => {
      const id = contactId(c);
      const { text } = await readJson(c, noteBody);
      const note = deps.services().notes.add(id, text, c.get("user").id);
      audit(c, deps, "note.create", note.id, { contactId: id });
      return c.json(note, 201);
    })
    .patch("/:noteId{[0-9]+}", async (c) => {
      const id = contactId(c);
      const { text } = await readJson(c, noteBody);
      const note = deps.services().notes.update(id, idParam(c, "noteId"), text, scopeOf(c));
      audit(c, deps, "note.update", note.id, { contactId: id });
      return c.json(note);
    })
    .delete("/:noteId{[0-9]+}", (c) => {
      const id = contactId(c);
      const note = deps.services().notes.remove(id, idParam(c, "noteId"), scopeOf(c));
      audit(c, deps, "note.delete", note.id, { contactId: id, text: note.text });
      return c.body(null, 204);
    });
}
