/**
 * Every table of AgentLocator, in one place. drizzle-kit turns changes here into SQL migrations
 * (`bun run db:generate`), which are embedded in the build and applied at start.
 * Times are integer milliseconds since the epoch (drizzle's timestamp_ms mode).
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

import { ROLES } from "../roles.ts";

export { ROLES, type Role } from "../roles.ts";

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name"),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ROLES }).notNull().default("agent"),
  /** A deactivated user cannot sign in and their sessions stop working; their records stay. */
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }),
  passwordChangedAt: integer("password_changed_at", { mode: "timestamp_ms" }),
});

/**
 * Admin sessions, one row per issued session token (its `jti`): logout, a password change or deactivation
 * revokes rows, and a token whose row is missing or revoked is refused even before it expires.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    expiresAt: integer("expires_at", { mode: "timestamp_ms" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "timestamp_ms" }),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Business settings (name, greeting, hours, …) as JSON values under a key. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
});

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" }).notNull().default(now),
    actorId: integer("actor_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    target: text("target"),
    ip: text("ip"),
    details: text("details", { mode: "json" }),
  },
  (t) => [index("audit_log_at_idx").on(t.at)],
);

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

export const CALL_MODES = ["conversation", "voicemail"] as const;

export const calls = sqliteTable(
  "calls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    callSid: text("call_sid").notNull().unique(),
    contactId: integer("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    fromNumber: text("from_number"),
    toNumber: text("to_number"),
    direction: text("direction").notNull().default("inbound"),
    /** ringing → in-progress → completed | failed */
    status: text("status").notNull().default("ringing"),
    /** lead_saved, callback_scheduled, transferred, voicemail, hung_up, abandoned, error, server_shutdown */
    outcome: text("outcome"),
    mode: text("mode", { enum: CALL_MODES }),
    streamSid: text("stream_sid"),
    startedAt: integer("started_at", { mode: "timestamp_ms" }).notNull().default(now),
    answeredAt: integer("answered_at", { mode: "timestamp_ms" }),
    endedAt: integer("ended_at", { mode: "timestamp_ms" }),
    durationS: integer("duration_s"),
    recordingPath: text("recording_path"),
    /** A test call placed from the admin app (not a real caller). */
    isTest: integer("is_test", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("calls_started_idx").on(t.startedAt), index("calls_contact_idx").on(t.contactId)],
);

export const callTurns = sqliteTable(
  "call_turns",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    callId: integer("call_id")
      .notNull()
      .references(() => calls.id, { onDelete: "cascade" }),
    role: text("role", { enum: ["caller", "agent"] }).notNull(),
    text: text("text").notNull(),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    interrupted: integer("interrupted", { mode: "boolean" }).notNull().default(false),
    /** For agent turns: how much of the reply the caller heard (ms of audio). */
    heardMs: integer("heard_ms"),
    /** For agent turns: caller's last voiced frame → first reply frame (ms). */
    latencyMs: integer("latency_ms"),
  },
  (t) => [index("call_turns_call_idx").on(t.callId)],
);

export const callEvents = sqliteTable(
  "call_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    callId: integer("call_id")
      .notNull()
      .references(() => calls.id, { onDelete: "cascade" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull(),
    event: text("event").notNull(),
    value: integer("value"),
    data: text("data", { mode: "json" }),
  },
  (t) => [index("call_events_call_idx").on(t.callId)],
);

export const TASK_STATUSES = ["open", "done", "cancelled"] as const;

export const tasks = sqliteTable(
  "tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contactId: integer("contact_id").references(() => contacts.id, { onDelete: "cascade" }),
    callId: integer("call_id").references(() => calls.id, { onDelete: "set null" }),
    kind: text("kind").notNull().default("callback"),
    title: text("title").notNull(),
    notes: text("notes"),
    /** When the caller asked to be called back, as they said it (free text) … */
    dueText: text("due_text"),
    /** … and as a time when it could be understood. */
    dueAt: integer("due_at", { mode: "timestamp_ms" }),
    status: text("status", { enum: TASK_STATUSES }).notNull().default("open"),
    assigneeId: integer("assignee_id").references(() => users.id, { onDelete: "set null" }),
    createdById: integer("created_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    doneAt: integer("done_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("tasks_contact_idx").on(t.contactId), index("tasks_status_idx").on(t.status), index("tasks_due_idx").on(t.dueAt), index("tasks_assignee_idx").on(t.assigneeId)],
);

export const MESSAGE_CHANNELS = ["baileys", "twilio"] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];
/** Delivery status; an outbound message only ever moves forward (queued → sent → delivered → read) or to failed. */
export const MESSAGE_STATUSES = ["received", "queued", "sent", "delivered", "read", "failed"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** WhatsApp messages, both directions and both channels; stored once per provider message id. */
export const messages = sqliteTable(
  "messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contactId: integer("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    channel: text("channel", { enum: MESSAGE_CHANNELS }).notNull(),
    /** Twilio's MessageSid or Baileys' message id. */
    providerId: text("provider_id").notNull(),
    /** The remote address as the provider gave it (whatsapp:+972…, …@s.whatsapp.net, …@lid). */
    remote: text("remote"),
    text: text("text"),
    /** Media kept in DATA_DIR/media: [{path, mime, bytes, name?}] (JSON). */
    media: text("media", { mode: "json" }).$type<Array<{ path: string; mime: string; bytes: number; name?: string }>>(),
    status: text("status", { enum: MESSAGE_STATUSES }).notNull(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    /** The user who sent it from the admin app, or null for the agent / an automatic message. */
    sentById: integer("sent_by_id").references(() => users.id, { onDelete: "set null" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull().default(now),
    /** When an owner opened the conversation (inbound only); null = unread. */
    readAt: integer("read_at", { mode: "timestamp_ms" }),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [uniqueIndex("messages_channel_provider_idx").on(t.channel, t.providerId), index("messages_contact_at_idx").on(t.contactId, t.at)],
);

export const PAYMENT_PROVIDERS = ["paypal", "tranzila"] as const;
export const PAYMENT_CURRENCIES = ["ILS", "USD"] as const;
/** created → pending → paid | failed | expired | refunded; `review` holds a payment a notification disagreed with. */
export const PAYMENT_STATUSES = ["created", "pending", "paid", "failed", "expired", "refunded", "review"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const payments = sqliteTable(
  "payments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Our reference, sent to the provider (PayPal custom_id, Tranzila's extra field); unguessable. */
    reference: text("reference").notNull().unique(),
    contactId: integer("contact_id").references(() => contacts.id, { onDelete: "set null" }),
    /** Integer minor units (agorot, cents), never a float. */
    amount: integer("amount").notNull(),
    currency: text("currency", { enum: PAYMENT_CURRENCIES }).notNull(),
    description: text("description").notNull(),
    provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull().default("created"),
    /** The link the customer pays at. */
    url: text("url"),
    /** PayPal order id / Tranzila handshake token. */
    providerRef: text("provider_ref"),
    /** PayPal capture id / Tranzila transaction index, once paid. */
    providerTxn: text("provider_txn"),
    createdById: integer("created_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
    paidAt: integer("paid_at", { mode: "timestamp_ms" }),
  },
  (t) => [
    index("payments_contact_idx").on(t.contactId),
    index("payments_status_idx").on(t.status),
    uniqueIndex("payments_provider_ref_idx").on(t.provider, t.providerRef),
    uniqueIndex("payments_provider_txn_idx").on(t.provider, t.providerTxn),
  ],
);

/**
 * Everything that happened to a payment (created, link sent, notification, capture, status change) — and
 * notifications that matched no payment or disagreed with it (`paymentId` null or `review` true), kept for review.
 */
export const paymentEvents = sqliteTable(
  "payment_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    paymentId: integer("payment_id").references(() => payments.id, { onDelete: "cascade" }),
    provider: text("provider", { enum: PAYMENT_PROVIDERS }),
    kind: text("kind").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status"),
    /** The provider's id of this notification (PayPal event id, Tranzila index): a replay is recognised by it. */
    externalId: text("external_id"),
    review: integer("review", { mode: "boolean" }).notNull().default(false),
    data: text("data", { mode: "json" }),
    at: integer("at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("payment_events_payment_idx").on(t.paymentId), uniqueIndex("payment_events_external_idx").on(t.provider, t.kind, t.externalId)],
);
