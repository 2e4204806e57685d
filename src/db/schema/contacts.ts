/** The CRM's people: contacts, every address they are reached at, their pipeline moves and the notes on them. */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth.ts";
import { now } from "./now.ts";

/** The sales pipeline a contact moves through; won and lost end it. */
export const CONTACT_STATUSES = ["new", "contacted", "qualified", "proposal", "won", "lost"] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

/** A person the business deals with; a caller becomes a `new` lead on their first call. */
export const contacts = sqliteTable(
  "contacts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name"),
    /** The primary number, E.164 when it could be normalised, else as received. Other numbers are identities. */
    phone: text("phone").unique(),
    email: text("email"),
    status: text("status", { enum: CONTACT_STATUSES }).notNull().default("new"),
    /** Where the contact came from: phone, whatsapp, import, manual. */
    source: text("source"),
    /** The user responsible for the contact; an agent sees only their own. */
    ownerId: integer("owner_id").references(() => users.id, { onDelete: "set null" }),
    /** Labels, lower-cased and unique (JSON array of strings). */
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Values of the custom fields defined in settings, by field key (JSON object). */
    fields: text("fields", { mode: "json" }).$type<Record<string, string | number | boolean | null>>().notNull().default(sql`'{}'`),
    need: text("need"),
    area: text("area"),
    budget: text("budget"),
    notes: text("notes"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
    /** The latest call or message with this contact, either direction. */
    lastContactAt: integer("last_contact_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("contacts_name_idx").on(t.name),
    index("contacts_email_idx").on(t.email),
    index("contacts_status_idx").on(t.status),
    index("contacts_owner_idx").on(t.ownerId),
    index("contacts_last_contact_idx").on(t.lastContactAt),
  ],
);

export type Contact = typeof contacts.$inferSelect;

export const IDENTITY_KINDS = ["phone", "whatsapp", "lid", "twilio_user", "email"] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/**
 * Every address a contact is reached at beyond `contacts.phone`: extra numbers (kept from a merge), a WhatsApp LID
 * (`…@lid`), a Twilio business-scoped user id. One address belongs to one contact.
 */
export const contactIdentities = sqliteTable(
  "contact_identities",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: IDENTITY_KINDS }).notNull(),
    value: text("value").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [uniqueIndex("contact_identities_kind_value_idx").on(t.kind, t.value), index("contact_identities_contact_idx").on(t.contactId)],
);

/** Each pipeline move of a contact (who, when, from → to), for its timeline. */
export const contactStatusHistory = sqliteTable(
  "contact_status_history",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    fromStatus: text("from_status"),
    toStatus: text("to_status").notNull(),
    actorId: integer("actor_id").references(() => users.id, { onDelete: "set null" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("contact_status_history_contact_idx").on(t.contactId)],
);

export const notes = sqliteTable(
  "notes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    authorId: integer("author_id").references(() => users.id, { onDelete: "set null" }),
    text: text("text").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("notes_contact_idx").on(t.contactId)],
);
