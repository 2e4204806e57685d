/**
 * Finding contacts: `q` over name, email, tags and phone numbers in any written form (a local `050-123-4567`, a
 * bare `0501234567`, an international `+972 50 123 4567` and partial numbers like `123-45` all match the stored
 * E.164 `+972501234567`, also among a contact's other numbers); filters by status, tag, owner and last contact;
 * sorting and paging. The same conditions serve the list, the pipeline counts and the CSV export.
 */
import { and, asc, count, desc, eq, gte, inArray, isNull, lte, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { CONTACT_STATUSES, contacts, type Contact, type ContactStatus } from "../db/schema.ts";
import { contactsInScope, type Scope } from "./scope.ts";

const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v), z.array(item).max(20));

export const CONTACT_SORTS = ["lastContactAt", "createdAt", "updatedAt", "name", "status"] as const;

/** The query string of GET /api/contacts (and of the CSV export). */
export const contactQuerySchema = z.object({
  q: z.string().trim().max(200).optional(),
  /** One status or several, comma-separated. */
  status: list(z.enum(CONTACT_STATUSES)).optional(),
  /** Contacts carrying every one of these tags (comma-separated). */
  tag: list(z.string().trim().toLowerCase().max(50)).optional(),
  /** A user id, `me`, or `none` (unassigned). */
  ownerId: z.union([z.literal("me"), z.literal("none"), z.coerce.number().int().positive()]).optional(),
  lastContactAfter: z.coerce.date().optional(),
  lastContactBefore: z.coerce.date().optional(),
  /** Only contacts nobody has spoken with yet. */
  neverContacted: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  sort: z.enum(CONTACT_SORTS).default("lastContactAt"),
  order: z.enum(["asc", "desc"]).default("desc"),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ContactQuery = z.infer<typeof contactQuerySchema>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

/** LIKE pattern matching `s` anywhere, with LIKE's own wildcards taken literally (used with ESCAPE '\'). */
export const containing = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The digits to look for when `q` is (part of) a phone number: the national trunk 0 and an international 00 are
 * dropped, since E.164 has neither (`050-123` → `50123`, matching `+972501234567`). Undefined when `q` is not
 * written like a number or has fewer than 3 digits.
 */
export function phoneDigits(q: string): string | undefined {
  const s = q.trim().replace(/^(whatsapp|tel):/i, "");
  if (!/^\+?[\d\s\-().]+$/.test(s)) return undefined;
  let digits = s.replace(/\D/g, "");
  if (!s.startsWith("+")) digits = digits.replace(/^00/, "").replace(/^0/, "");
  return digits.length >= 3 ? digits : undefined;
}

/** The condition for `q`: name, email, any tag, or a phone number. */
function matching(q: string): SQL {
  const like = containing(q);
  const ors: SQL[] = [
    sql`${contacts.name} LIKE ${like} ESCAPE '\\'`,
    sql`${contacts.email} LIKE ${like} ESCAPE '\\'`,
    sql`EXISTS (SELECT 1 FROM json_each(${contacts.tags}) AS t WHERE t.value LIKE ${like} ESCAPE '\\')`,
  ];
  const digits = phoneDigits(q);
  if (digits) {
    const num = `%${digits}%`;
    ors.push(
      sql`${contacts.phone} LIKE ${num}`,
      sql`EXISTS (SELECT 1 FROM contact_identities AS i WHERE i.contact_id = ${contacts.id} AND i.kind = 'phone' AND i.value LIKE ${num})`,
    );
  }
  return sql`(${sql.join(ors, sql` OR `)})`;
}

/** Every condition of the query and the scope, except paging and sorting. `ignore`: a filter left out (the board counts by status). */
export function contactConditions(f: Partial<ContactQuery>, scope: Scope, ignore?: "status"): SQL | undefined {
  const where: Array<SQL | undefined> = [contactsInScope(scope)];
  if (f.q) where.push(matching(f.q));
  if (f.status?.length && ignore !== "status") where.push(inArray(contacts.status, f.status));
  for (const tag of f.tag ?? []) where.push(sql`EXISTS (SELECT 1 FROM json_each(${contacts.tags}) AS t WHERE t.value = ${tag})`);
  if (f.ownerId === "none") where.push(isNull(contacts.ownerId));
  else if (f.ownerId !== undefined) where.push(eq(contacts.ownerId, f.ownerId === "me" ? scope.userId : f.ownerId));
  if (f.lastContactAfter) where.push(gte(contacts.lastContactAt, f.lastContactAfter));
  if (f.lastContactBefore) where.push(lte(contacts.lastContactAt, f.lastContactBefore));
  if (f.neverContacted !== undefined) where.push(f.neverContacted ? isNull(contacts.lastContactAt) : sql`${contacts.lastContactAt} IS NOT NULL`);
  const defined = where.filter((w): w is SQL => w !== undefined);
  return defined.length ? and(...defined) : undefined;
}

export function searchContacts(db: Db, f: ContactQuery, scope: Scope): Page<Contact> {
  const where = contactConditions(f, scope);
  const column = contacts[f.sort];
  const dir = f.order === "asc" ? asc : desc;
  const items = db
    .select()
    .from(contacts)
    .where(where)
    .orderBy(dir(column), desc(contacts.id))
    .limit(f.limit)
    .offset((f.page - 1) * f.limit)
    .all();
  const total = db.select({ n: count() }).from(contacts).where(where).get()?.n ?? 0;
  return { items, total, page: f.page, limit: f.limit };
}

/** How many contacts (matching the other filters) are at each pipeline status — the board's column heads. */
export function pipelineCounts(db: Db, f: Partial<ContactQuery>, scope: Scope): Record<ContactStatus, number> {
  const rows = db.select({ status: contacts.status, n: count() }).from(contacts).where(contactConditions(f, scope, "status")).groupBy(contacts.status).all();
  const out = Object.fromEntries(CONTACT_STATUSES.map((s) => [s, 0])) as Record<ContactStatus, number>;
  for (const r of rows) out[r.status] = r.n;
  return out;
}

/** Every tag in use (in the scope), most used first — for filters and suggestions. */
export function tagCounts(db: Db, scope: Scope): Array<{ tag: string; count: number }> {
  const where = contactsInScope(scope);
  const rows = db.all<{ tag: string; count: number }>(
    sql`SELECT t.value AS tag, count(*) AS count FROM ${contacts}, json_each(${contacts.tags}) AS t ${where ? sql`WHERE ${where}` : sql``} GROUP BY t.value ORDER BY count DESC, tag ASC LIMIT 500`,
  );
  return rows;
}

/** Contacts matching `f` in id order, `batch` rows at a time (the CSV export reads a large table without holding it). */
export function* eachContact(db: Db, f: Partial<ContactQuery>, scope: Scope, batch = 500): Generator<Contact> {
  let after = 0;
  for (;;) {
    const rows = db
      .select()
      .from(contacts)
      .where(and(contactConditions(f, scope), sql`${contacts.id} > ${after}`))
      .orderBy(asc(contacts.id))
      .limit(batch)
      .all();
    yield* rows;
    if (rows.length < batch) return;
    after = rows.at(-1)!.id;
  }
}
