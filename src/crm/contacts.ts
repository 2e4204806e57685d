/**
 * Contacts and leads: found or created by phone number, enriched by what callers tell the agent, and kept by the
 * team (create, change, pipeline moves with their history, owner, tags, custom fields, delete, merge).
 * Every read and change made for a user goes through a Scope: outside it, a contact does not exist.
 */
import { and, eq, lt, isNull, or } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contactIdentities, contacts, contactStatusHistory, users, type Contact, type ContactStatus } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { LIVE, silentFeed, type LiveFeed } from "../live-events.ts";
import { mergeContacts } from "./contact-merge.ts";
import { checkFieldValues, missingRequired, withoutEmpty, type FieldDefinition, type FieldProblem } from "./contact-fields.ts";
import type { ContactCreate, ContactPatch } from "./contact-input.ts";
import { contactsCsv, type HeaderLanguage } from "./contact-csv.ts";
import { importContacts, type ImportOptions, type ImportReport } from "./contact-import.ts";
import { pipelineCounts, searchContacts, tagCounts, type ContactQuery, type Page } from "./contact-search.ts";
import { IdentityService } from "./identities.ts";
import { contactTimeline, type TimelineItem, type TimelineKind } from "./timeline.ts";
import { contactsInScope, seesEverything, type Scope } from "./scope.ts";

export type { Contact };

export interface LeadFields {
  name?: string;
  need?: string;
  area?: string;
  budget?: string;
  notes?: string;
  email?: string;
}

export interface ContactServiceOptions {
  /** Where lead.saved is published. */
  live?: LiveFeed;
  /** The custom field definitions in force (from settings). */
  fieldDefinitions?: () => FieldDefinition[];
  /** The business's time zone (CSV dates). */
  timezone?: () => string;
}

const TEXT_KEYS = ["name", "email", "need", "area", "budget", "notes", "source"] as const;

export class ContactService {
  readonly identities: IdentityService;
  private live: LiveFeed;
  readonly fieldDefinitions: () => FieldDefinition[];
  private timezone: () => string;

  constructor(
    private db: Db,
    o: ContactServiceOptions = {},
  ) {
    this.identities = new IdentityService(db);
    this.live = o.live ?? silentFeed;
    this.fieldDefinitions = o.fieldDefinitions ?? (() => []);
    this.timezone = o.timezone ?? (() => "UTC");
  }

  search(q: ContactQuery, scope: Scope): Page<Contact> {
    return searchContacts(this.db, q, scope);
  }

  /** Contacts per pipeline status (the other filters of `q` apply). */
  pipeline(q: Partial<ContactQuery>, scope: Scope): Record<ContactStatus, number> {
    return pipelineCounts(this.db, q, scope);
  }

  tags(scope: Scope): Array<{ tag: string; count: number }> {
    return tagCounts(this.db, scope);
  }

  /** The timeline of a contact in scope. */
  timeline(id: number, scope: Scope, o: { page: number; limit: number; kinds?: TimelineKind[] }): Page<TimelineItem> {
    this.get(id, scope);
    return contactTimeline(this.db, id, o);
  }

  exportCsv(q: Partial<ContactQuery>, scope: Scope, lang: HeaderLanguage): ReadableStream<Uint8Array> {
    return contactsCsv({ db: this.db, fieldDefinitions: this.fieldDefinitions(), timezone: this.timezone() }, q, scope, lang);
  }

  /** A CSV file of contacts in, a report per row out (see contact-import.ts); the server keeps answering meanwhile. */
  importCsv(bytes: Uint8Array, o: ImportOptions): Promise<ImportReport> {
    return importContacts(this.db, this, bytes, o);
  }

  byId(id: number): Contact | undefined {
    return this.db.select().from(contacts).where(eq(contacts.id, id)).get();
  }

  /** The contact if `scope` may see it, else undefined. */
  find(id: number, scope: Scope): Contact | undefined {
    return this.db.select().from(contacts).where(and(eq(contacts.id, id), contactsInScope(scope))).get();
  }

  /** The contact if `scope` may see it; not_found otherwise (whether or not it exists). */
  get(id: number, scope: Scope, field?: string): Contact {
    const c = this.find(id, scope);
    if (!c) throw new AppError("not_found", `no contact ${id}`, field);
    return c;
  }

  /** The user a contact is assigned to (null: nobody; undefined: no such contact). */
  ownerOf(id: number): number | null | undefined {
    return this.db.select({ ownerId: contacts.ownerId }).from(contacts).where(eq(contacts.id, id)).get()?.ownerId;
  }

  /** The contact with this number (its primary or any other it is known by), in any written form. */
  byPhone(raw: string): Contact | undefined {
    return this.identities.find({ kind: "phone", value: raw });
  }

  /** The contact with this number, created as a new lead (with `source`) when there is none. */
  findOrCreateByPhone(raw: string, source: string): Contact {
    return this.identities.resolve({ kind: "phone", value: raw }, { source });
  }

  /** Adds what was learned; notes accumulate, other fields are replaced only by non-empty values. Publishes lead.saved. */
  saveLead(id: number, fields: LeadFields): Contact {
    const current = this.byId(id);
    if (!current) throw new Error(`contact ${id} not found`);
    const set: Partial<typeof contacts.$inferInsert> = { updatedAt: new Date() };
    for (const key of ["name", "need", "area", "budget", "email"] as const) {
      const v = fields[key]?.trim();
      if (v) set[key] = v;
    }
    const note = fields.notes?.trim();
    if (note) set.notes = current.notes ? `${current.notes}\n${note}` : note;
    const saved = this.db.update(contacts).set(set).where(eq(contacts.id, id)).returning().get();
    this.live.publish(LIVE.LEAD_SAVED, { contactId: id, name: saved.name, phone: saved.phone, need: saved.need, area: saved.area, budget: saved.budget, saved: Object.keys(set).filter((k) => k !== "updatedAt") }, id);
    return saved;
  }

  /** Records that the business and the contact just spoke (a call or a message): `lastContactAt` only moves forward. */
  touch(id: number, at = new Date()): void {
    this.db
      .update(contacts)
      .set({ lastContactAt: at })
      .where(and(eq(contacts.id, id), or(isNull(contacts.lastContactAt), lt(contacts.lastContactAt, at))))
      .run();
  }

  create(input: ContactCreate, actor: Scope): Contact {
    return this.db.transaction(() => this.insert(input, actor));
  }

  /** `create` inside a transaction the caller holds. */
  insert(input: ContactCreate, actor: Scope): Contact {
    const ownerId = this.ownerFor(input.ownerId, actor) ?? null;
    const defs = this.fieldDefinitions();
    const checked = checkFieldValues(defs, input.fields ?? {});
    const values = withoutEmpty(checked.values);
    throwFirst([...checked.problems, ...missingRequired(defs, values)]);
    if (input.phone) this.assertPhoneFree(input.phone, undefined, actor);
    const status = input.status ?? "new";
    const created = this.db
      .insert(contacts)
      .values({ ...pickText(input), phone: input.phone ?? null, status, source: input.source ?? "manual", ownerId, tags: input.tags ?? [], fields: values })
      .returning()
      .get();
    this.recordStatus(created.id, null, status, actor.userId);
    return created;
  }

  /** Changes what `patch` names; a status change is kept in the contact's history. */
  update(id: number, patch: ContactPatch, actor: Scope): Contact {
    return this.db.transaction(() => this.apply(this.get(id, actor), patch, actor));
  }

  /** `update` of a contact already read, inside a transaction the caller holds. */
  apply(current: Contact, patch: ContactPatch, actor: Scope): Contact {
    const set: Partial<typeof contacts.$inferInsert> = { updatedAt: new Date(), ...pickText(patch) };
    if (patch.phone !== undefined && patch.phone !== current.phone) {
      if (patch.phone) this.takePhone(current, patch.phone, actor);
      set.phone = patch.phone;
    }
    if (patch.tags) set.tags = patch.tags;
    if (patch.fields) {
      const defs = this.fieldDefinitions();
      const checked = checkFieldValues(defs, patch.fields);
      const merged = withoutEmpty({ ...current.fields, ...checked.values });
      throwFirst([...checked.problems, ...missingRequired(defs, merged)]);
      set.fields = merged;
    }
    if (patch.ownerId !== undefined) set.ownerId = this.ownerFor(patch.ownerId, actor);
    if (patch.status && patch.status !== current.status) {
      set.status = patch.status;
      this.recordStatus(current.id, current.status, patch.status, actor.userId);
    }
    return this.db.update(contacts).set(set).where(eq(contacts.id, current.id)).returning().get();
  }

  /** Deletes the contact with its notes, tasks, messages and history; its calls and payments stay, without a contact. */
  delete(id: number, actor: Scope): Contact {
    const c = this.get(id, actor);
    this.db.delete(contacts).where(eq(contacts.id, id)).run();
    return c;
  }

  /** One person, two contacts: everything of `dropId` moves to `keepId` (see contact-merge.ts). */
  merge(keepId: number, dropId: number, actor: Scope): Contact {
    if (keepId === dropId) throw new AppError("validation", "dropId: cannot merge a contact with itself", "dropId");
    this.get(keepId, actor, "keepId");
    this.get(dropId, actor, "dropId");
    return mergeContacts(this.db, keepId, dropId);
  }

  /** A pipeline move, for the contact's timeline. */
  recordStatus(contactId: number, from: ContactStatus | null, to: ContactStatus, actorId: number | null): void {
    this.db.insert(contactStatusHistory).values({ contactId, fromStatus: from, toStatus: to, actorId }).run();
  }

  /**
   * Who a contact may be assigned to. An agent's contacts are theirs: they cannot give one away or take another's.
   * Owners and admins assign to any active user. Undefined = leave as it is (a new contact of an agent is theirs).
   */
  ownerFor(requested: number | null | undefined, actor: Scope): number | null | undefined {
    if (!seesEverything(actor)) {
      if (requested !== undefined && requested !== actor.userId) throw new AppError("forbidden", "ownerId: an agent can assign contacts only to themselves", "ownerId");
      return actor.userId;
    }
    if (requested === undefined || requested === null) return requested;
    const user = this.db.select({ active: users.active }).from(users).where(eq(users.id, requested)).get();
    if (!user?.active) throw new AppError("validation", `ownerId: no active user ${requested}`, "ownerId");
    return requested;
  }

  /** Throws conflict when another contact is reached at `phone` (naming it only when the actor may see it). */
  assertPhoneFree(phone: string, selfId: number | undefined, actor: Scope): void {
    const other = this.byPhone(phone);
    if (!other || other.id === selfId) return;
    const which = seesEverything(actor) || other.ownerId === actor.userId ? ` (contact ${other.id}; merge the two instead)` : "";
    throw new AppError("conflict", `phone: another contact has ${phone}${which}`, "phone");
  }

  /** Makes `phone` the primary number of `current`; if it was one of its other numbers, the old primary takes its place. */
  private takePhone(current: Contact, phone: string, actor: Scope): void {
    this.assertPhoneFree(phone, current.id, actor);
    const own = and(eq(contactIdentities.contactId, current.id), eq(contactIdentities.kind, "phone"), eq(contactIdentities.value, phone));
    if (this.db.select().from(contactIdentities).where(own).get()) {
      this.db.delete(contactIdentities).where(own).run();
      if (current.phone) this.db.insert(contactIdentities).values({ contactId: current.id, kind: "phone", value: current.phone }).onConflictDoNothing().run();
    }
  }
}

function pickText(input: ContactPatch): Partial<Record<(typeof TEXT_KEYS)[number], string | null>> {
  const out: Partial<Record<(typeof TEXT_KEYS)[number], string | null>> = {};
  for (const key of TEXT_KEYS) if (input[key] !== undefined) out[key] = input[key] ?? null;
  return out;
}

function throwFirst(problems: FieldProblem[]): void {
  const p = problems[0];
  if (p) throw new AppError("validation", `${p.field}: ${p.problem}`, p.field);
}
