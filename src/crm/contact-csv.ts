/**
 * Contacts to and from CSV files. The export has one column per contact property and per custom field, headed by
 * key (or by Hebrew / English label); dates are the business's wall-clock time. An import (contact-import.ts) reads
 * the same columns — by key, by either label, or by common names such as "טלפון", "Mobile", "E-mail".
 */
import type { Db } from "../db/client.ts";
import { users } from "../db/schema.ts";
import type { FieldDefinition } from "./contact-fields.ts";
import type { ImportProblem } from "./contact-import.ts";
import { eachContact, type ContactQuery } from "./contact-search.ts";
import { csvStream } from "./csv.ts";
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

export type Target = { kind: "column"; key: Column } | { kind: "field"; key: string } | undefined;

/** Which property each header cell feeds; unknown and repeated columns are reported (row 1) and ignored. */
export function mapHeader(header: string[], defs: FieldDefinition[], problems: ImportProblem[]): Target[] {
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
