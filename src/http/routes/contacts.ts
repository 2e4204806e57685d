/**
 * Contacts (mounted at /api):
 *   GET    /contacts                 search and filters → {items, total, page, limit}
 *   POST   /contacts                 create → 201 the contact
 *   GET    /contacts.csv             the same list as a CSV download (UTF-8 with BOM)
 *   POST   /contacts/import          CSV upload → a per-row report (owner/admin)
 *   POST   /contacts/merge           {keepId, dropId} → the surviving contact
 *   GET    /contacts/pipeline        how many contacts at each status
 *   GET    /contacts/tags            tags in use with counts
 *   GET    /contacts/:id             a contact with its other addresses
 *   PATCH  /contacts/:id             change some properties (status moves are kept in the history)
 *   DELETE /contacts/:id             (owner/admin) → 204
 *   GET    /contacts/:id/timeline    calls, messages, tasks, notes, payments, status changes, newest first
 * An agent works only with contacts assigned to them: anything else answers 404.
 */
import { Hono } from "hono";
import { z } from "zod";
import { contactCreateSchema, contactPatchSchema, mergeSchema } from "../../crm/contact-input.ts";
import { contactQuerySchema } from "../../crm/contact-search.ts";
import { csvHeaders } from "../../crm/csv.ts";
import { TIMELINE_KINDS } from "../../crm/timeline.ts";
import { AppError } from "../../errors.ts";
import { audit, idParam, scopeOf } from "../actor.ts";
import { readJson, validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { requireRole } from "../middleware/session.ts";

const exportQuery = contactQuerySchema.extend({ lang: z.enum(["key", "he", "en"]).default("key") });
const importQuery = z.object({
  onDuplicate: z.enum(["update", "skip"]).default("update"),
  dryRun: z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1").default(false),
});
const timelineQuery = z.object({
  page: z.coerce.number().int().min(1).max(1000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  kinds: z.preprocess((v) => (typeof v === "string" ? v.split(",").filter(Boolean) : v), z.array(z.enum(TIMELINE_KINDS)).optional()),
});
/** Upload types a browser or a script sends a .csv file as. */
const CSV_TYPES = /^(text\/(csv|plain|comma-separated-values|tab-separated-values)|application\/(csv|vnd\.ms-excel|octet-stream))\b/i;

const today = () => new Date().toISOString().slice(0, 10);

export function contactRoutes(deps: HttpDeps) {
  const contacts = () => deps.services().contacts;
  return new Hono<AppEnv>()
    .get("/contacts", (c) => c.json(contacts().search(validate(contactQuerySchema, c.req.query()), scopeOf(c))))
    .post("/contacts", async (c) => {
      const body = await readJson(c, contactCreateSchema);
      const contact = contacts().create(body, scopeOf(c));
      audit(c, deps, "contact.create", contact.id);
      return c.json(contact, 201);
    })
    .get("/contacts.csv", (c) => {
      const { lang, ...filter } = validate(exportQuery, c.req.query());
      audit(c, deps, "contact.export", undefined, { filter: c.req.query() });
      return c.body(contacts().exportCsv(filter, scopeOf(c), lang), 200, csvHeaders(`contacts-${today()}.csv`));
    })
    .post("/contacts/import", requireRole("owner", "admin"), async (c) => {
      const o = validate(importQuery, c.req.query());
      const report = await contacts().importCsv(await uploadedFile(c.req.raw), { ...o, actor: scopeOf(c) });
      if (!report.dryRun) audit(c, deps, "contact.import", undefined, { created: report.created, updated: report.updated, skipped: report.skipped, failed: report.failed, onDuplicate: report.onDuplicate });
      return c.json(report);
    })
    .post("/contacts/merge", async (c) => {
      const { keepId, dropId } = await readJson(c, mergeSchema);
      const merged = contacts().merge(keepId, dropId, scopeOf(c));
      audit(c, deps, "contact.merge", keepId, { dropId });
      return c.json(merged);
    })
    .get("/contacts/pipeline", (c) => {
      const q = validate(contactQuerySchema, c.req.query());
      return c.json({ statuses: contacts().pipeline(q, scopeOf(c)) });
    })
    .get("/contacts/tags", (c) => c.json({ tags: contacts().tags(scopeOf(c)) }))
    .get("/contacts/:id{[0-9]+}", (c) => {
      const contact = contacts().get(idParam(c, "id"), scopeOf(c));
      return c.json({ ...contact, identities: contacts().identities.of(contact.id).filter((i) => !(i.kind === "phone" && i.value === contact.phone)) });
    })
    .patch("/contacts/:id{[0-9]+}", async (c) => {
      const id = idParam(c, "id");
      const body = await readJson(c, contactPatchSchema);
      const contact = contacts().update(id, body, scopeOf(c));
      audit(c, deps, "contact.update", id, { changed: Object.keys(body) });
      return c.json(contact);
    })
    .delete("/contacts/:id{[0-9]+}", requireRole("owner", "admin"), (c) => {
      const id = idParam(c, "id");
      const gone = contacts().delete(id, scopeOf(c));
      audit(c, deps, "contact.delete", id, { name: gone.name, phone: gone.phone });
      return c.body(null, 204);
    })
    .get("/contacts/:id{[0-9]+}/timeline", (c) => {
      const q = validate(timelineQuery, c.req.query());
      return c.json(contacts().timeline(idParam(c, "id"), scopeOf(c), q));
    });
}

/** The uploaded CSV: a multipart form's `file` field, or the raw body sent as a CSV type. */
async function uploadedFile(req: Request): Promise<Uint8Array> {
  const type = req.headers.get("content-type") ?? "";
  if (/^multipart\/form-data/i.test(type)) {
    const form = await req.formData().catch(() => {
      throw new AppError("bad_request", "file: the upload is not a readable multipart form; nothing was imported", "file");
    });
    const file = form.get("file");
    if (!(file instanceof Blob)) throw new AppError("validation", "file: send the CSV in a form field named file; nothing was imported", "file");
    return new Uint8Array(await file.arrayBuffer());
  }
  if (!CSV_TYPES.test(type)) throw new AppError("bad_request", `file: send a CSV file (Content-Type text/csv or a multipart form), not ${type || "no Content-Type"}; nothing was imported`, "file");
  return new Uint8Array(await req.arrayBuffer());
}
