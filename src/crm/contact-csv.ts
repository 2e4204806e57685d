/**
 * Contacts to and from CSV files. The export has one column per contact property and per custom field, headed by
 * key (or by Hebrew / English label); dates are the business's wall-clock time. The import reads the same columns
 * (by key, by either label, or by common names such as "טלפון", "Mobile", "E-mail") and answers a report per row.
 *
 * Import rules: a row is imported whole or not at all (every problem of a failed row is reported with its field);
 * rows are deduplicated by phone number in any written form, against the CRM and earlier rows of the same file —
 * `onDuplicate: "update"` (the default) fills the existing contact with the row's non-empty cells (tags are added,
 * notes appended, an empty cell never erases anything), `"skip"` leaves it untouched and reports the row as skipped.
 * All rows go in one transaction: a file that cannot be read changes nothing, and `dryRun` reports without writing.
 */
import type { Db } from "../db/client.ts";
import { users, type Contact } from "../db/schema.ts";
import { checkFieldValues, type FieldDefinition } from "./contact-fields.ts";
import { contactPatchSchema, type ContactPatch } from "./contact-input.ts";
import { eachContact, type ContactQuery } from "./contact-search.ts";
import type { ContactService } from "./contacts.ts";
import { csvStream, readCsv, unguardCell } from "./csv.ts";
import type { Scope } from "./scope.ts";
import { formatLocal } from "./time-zone.ts";
import { AppError } from "../errors.ts";

type Column = "id" | "name" | "phone" | "email" | "status" | "tags" | "owner" | "source" | "need" | "area" | "budget" | "notes" | "createdAt" | "lastContactAt";

/** The built-in columns in export order, with their labels and the other names an imported header may use. */
const COLUMNS: Array<{ key: Column; he: string; en: string; aliases: string[] }> = [
  { key: "id", he: "מזהה", en: "ID", aliases: [] },
  { key: "name", he: "שם", en: "Name", aliases: ["full name", "contact", "שם מלא", "שם הלקוח", "איש קשר"] },
  { key: "phone", he: "טלפון", en: "Phone", aliases: ["phone number", "mobile", "mobile phone", "cell", "tel", "telephone", "whatsapp", "נייד", "טלפון נייד", "מספר טלפון", "פלאפון", "סלולרי"] },
  { key: "email", he: "אימייל", en: "Email", aliases: ["e-mail", "mail", "email address", 'דוא"ל', "דוא״ל", "דואל", "מייל", "דואר אלקטרוני"] },
  { key: "status", he: "סטטוס", en: "Status", aliases: ["stage", "pipeline", "שלב"] },
  { key: "tags", he: "תגיות", en: "Tags", aliases: ["labels", "tag", "תוויות", "תגית"] },
  { key: "owner", he: "אחראי", en: "Owner", aliases: ["owner email", "assigned to", "בעלים"] },
  { key: "source", he: "מקור", en: "Source", aliases: [] },
  { key: "need", he: "צורך", en: "Need", aliases: [] },
  { key: "area", he: "אזור", en: "Area", aliases: ["city", "עיר"] },
  { key: "budget", he: "תקציב", en: "Budget", aliases: [] },
  { key: "notes", he: "הערות", en: "Notes", aliases: ["note", "comments", "הערה"] },
  { key: "createdAt", he: "נוצר", en: "Created", aliases: ["created at", "תאריך יצירה"] },
  { key: "lastContactAt", he: "קשר אחרון", en: "Last contact", aliases: ["last contact at", "last contacted"] },
];
/** Columns the CRM fills itself: read in an import's header, never written from it. */
const SYSTEM_COLUMNS = new Set<Column>(["id", "createdAt", "lastContactAt"]);

export type HeaderLanguage = "key" | "he" | "en";

/** Header names compared without case, spaces, underscores and hyphens ("Last_Contact-At" = "lastcontactat"). */
const norm = (s: string) => s.replace(/^\uFEFF/, "").toLowerCase().replace(/[\s_\-]+/g, "");

export interface ExportContext {
  db: Db;
  fieldDefinitions: FieldDefinition[];
  timezone: string;
}

/** The CSV download of the contacts matching `filter` in `scope`. */
export function contactsCsv(ctx: ExportContext, filter: Partial<ContactQuery>, scope: Scope, lang: HeaderLanguage = "key"): ReadableStream<Uint8Array> {
  const label = (c: { key: string; he?: string; en?: string }) => (lang === "key" ? c.key : (c[lang] ?? c.key));
  const header = [...COLUMNS.map(label), ...ctx.fieldDefinitions.map((d) => (lang === "key" ? d.key : (d.label[lang] ?? d.label.he ?? d.label.en ?? d.key)))];
  const emails = new Map(ctx.db.select({ id: users.id, email: users.email }).from(users).all().map((u) => [u.id, u.email]));
  const when = (d: Date | null) => (d ? formatLocal(ctx.timezone, d) : "");
  function* rows(): Generator<unknown[]> {
    for (const c of eachContact(ctx.db, filter, scope)) {
      const own: Record<Column, unknown> = {
        id: c.id,
        name: c.name,
        phone: c.phone,
        email: c.email,
        status: c.status,
        tags: c.tags.join(", "),
        owner: c.ownerId ? emails.get(c.ownerId) : "",
        source: c.source,
        need: c.need,
        area: c.area,
        budget: c.budget,
        notes: c.notes,
        createdAt: when(c.createdAt),
        lastContactAt: when(c.lastContactAt),
      };
      yield [...COLUMNS.map((col) => own[col.key]), ...ctx.fieldDefinitions.map((d) => c.fields[d.key] ?? "")];
    }
  }
  return csvStream(header, rows());
}

export interface ImportProblem {
  /** The spreadsheet row (the header is row 1). */
  row: number;
  /** The property at fault (`phone`, `fields.size`), or `row` for the row as a whole. */
  field: string;
  problem: string;
}

export interface ImportReport {
  onDuplicate: "update" | "skip";
  dryRun: boolean;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  problems: ImportProblem[];
  rows: Array<{ row: number; result: "created" | "updated" | "skipped" | "failed"; contactId?: number }>;
}

/** Thrown inside the import's transaction to undo a dry run. */
class DryRun extends Error {}

export function importContacts(db: Db, contacts: ContactService, bytes: Uint8Array, o: { onDuplicate: "update" | "skip"; dryRun: boolean; actor: Scope }): ImportReport {
  const { header, rows } = readCsv(bytes);
  const defs = contacts.fieldDefinitions();
  const report: ImportReport = { onDuplicate: o.onDuplicate, dryRun: o.dryRun, created: 0, updated: 0, skipped: 0, failed: 0, problems: [], rows: [] };
  const mapping = mapHeader(header, defs, report.problems);
  const ownerIds = new Map(db.select({ id: users.id, email: users.email, active: users.active }).from(users).all().filter((u) => u.active).map((u) => [u.email.toLowerCase(), u.id]));

  try {
    db.transaction(() => {
      rows.forEach((cells, i) => {
        const row = i + 2;
        if (cells.every((c) => !c.trim())) return;
        const problems: ImportProblem[] = [];
        const fail = (field: string, problem: string) => problems.push({ row, field, problem });
        if (cells.length > header.length && cells.slice(header.length).some((c) => c.trim())) fail("row", `has ${cells.length} cells but the header has ${header.length} columns`);

        const raw: Record<string, unknown> = {};
        const fieldCells: Record<string, string> = {};
        let owner: string | undefined;
        mapping.forEach((target, col) => {
          const cell = unguardCell((cells[col] ?? "").trim());
          if (!target || !cell) return;
          if (target.kind === "field") fieldCells[target.key] = cell;
          else if (target.key === "tags") raw.tags = cell.split(/[,;]/).map((t) => t.trim()).filter(Boolean);
          else if (target.key === "owner") owner = cell;
          else raw[target.key] = cell;
        });
        const parsed = contactPatchSchema.safeParse(raw);
        if (!parsed.success) for (const issue of parsed.error.issues) fail(String(issue.path[0] ?? "row"), issue.message);
        const checked = checkFieldValues(defs, fieldCells, { fromText: true });
        for (const p of checked.problems) fail(p.field, p.problem);
        let ownerId: number | undefined;
        if (owner) {
          ownerId = ownerIds.get(owner.toLowerCase());
          if (!ownerId) fail("owner", `no active user with the email ${owner}`);
        }
        if (problems.length || !parsed.success) return failed(report, row, problems);

        const input: ContactPatch = { ...parsed.data, ...(ownerId ? { ownerId } : {}), ...(Object.keys(checked.values).length ? { fields: checked.values } : {}) };
        const existing = input.phone ? contacts.byPhone(input.phone) : undefined;
        // each row is all or nothing inside the file's transaction
        db.$client.run("SAVEPOINT import_row");
        try {
          if (!existing) {
            if (!input.name && !input.email && !input.phone) throw new AppError("validation", "name: a contact needs a name, a phone or an email", "name");
            const c = contacts.insert({ ...input, source: input.source ?? "import" }, o.actor);
            report.created++;
            report.rows.push({ row, result: "created", contactId: c.id });
          } else if (o.onDuplicate === "skip") {
            report.skipped++;
            report.problems.push({ row, field: "phone", problem: `a contact with this phone already exists (contact ${existing.id}); skipped` });
            report.rows.push({ row, result: "skipped", contactId: existing.id });
          } else {
            contacts.apply(existing, fillOnly(existing, input), o.actor);
            report.updated++;
            report.rows.push({ row, result: "updated", contactId: existing.id });
          }
          db.$client.run("RELEASE import_row");
        } catch (err) {
          db.$client.run("ROLLBACK TO import_row");
          db.$client.run("RELEASE import_row");
          // a rule only the service knows (a required custom field, a number another contact has): this row fails
          if (!(err instanceof AppError) || err.code === "internal") throw err;
          failed(report, row, [{ row, field: err.field ?? "row", problem: err.message.replace(/^[\w.]+: /, "") }]);
        }
      });
      if (o.dryRun) throw new DryRun();
    });
  } catch (err) {
    if (!(err instanceof DryRun)) throw err;
  }
  return report;
}

function failed(report: ImportReport, row: number, problems: ImportProblem[]): void {
  report.failed++;
  report.problems.push(...problems);
  report.rows.push({ row, result: "failed" });
}

/** What an import row changes on an existing contact: only its non-empty cells; tags are added and notes appended. */
function fillOnly(current: Contact, row: ContactPatch): ContactPatch {
  const patch: ContactPatch = { ...row };
  if (row.tags) patch.tags = [...new Set([...current.tags, ...row.tags])];
  if (row.notes && current.notes?.includes(row.notes)) delete patch.notes;
  else if (row.notes && current.notes) patch.notes = `${current.notes}\n${row.notes}`;
  delete patch.phone;
  return patch;
}

type Target = { kind: "column"; key: Column } | { kind: "field"; key: string } | undefined;

/** Which property each header cell feeds; unknown and repeated columns are reported (row 1) and ignored. */
function mapHeader(header: string[], defs: FieldDefinition[], problems: ImportProblem[]): Target[] {
  const names = new Map<string, Target>();
  for (const c of COLUMNS) for (const n of [c.key, c.he, c.en, ...c.aliases]) names.set(norm(n), { kind: "column", key: c.key });
  for (const d of defs) for (const n of [d.key, d.label.he, d.label.en]) if (n) names.set(norm(n), { kind: "field", key: d.key });
  const used = new Set<string>();
  const mapping = header.map((h): Target => {
    const target = names.get(norm(h));
    if (!h) return undefined;
    if (!target) {
      problems.push({ row: 1, field: h, problem: "unknown column; ignored" });
      return undefined;
    }
    const id = `${target.kind}:${target.key}`;
    if (used.has(id)) {
      problems.push({ row: 1, field: h, problem: "a second column for the same property; ignored" });
      return undefined;
    }
    used.add(id);
    return target.kind === "column" && SYSTEM_COLUMNS.has(target.key) ? undefined : target;
  });
  if (!mapping.some((t) => t?.kind === "column" && ["name", "phone", "email"].includes(t.key)))
    throw new AppError("validation", `file: no usable header row — name at least one of the columns name, phone, email (found: ${header.filter(Boolean).join(", ") || "nothing"}); nothing was imported`, "file");
  return mapping;
}
