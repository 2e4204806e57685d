/**
 * Every table of AgentLocator, in one place. drizzle-kit turns changes here into SQL migrations
 * (`bun run db:generate`), which are embedded in the build and applied at start.
 * Times are integer milliseconds since the epoch (drizzle's timestamp_ms mode).
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

import { ROLES } from "../roles.ts";

export { ROLES, type Role } from "../roles.ts";

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name"),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ROLES }).notNull().default("agent"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }),
});

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

export const CONTACT_STATUSES = ["lead", "customer", "archived"] as const;

/** A person the business deals with; a caller becomes a lead on their first call. */
export const contacts = sqliteTable(
  "contacts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name"),
    /** E.164 when it could be normalised, else as received. */
    phone: text("phone").unique(),
    email: text("email"),
    status: text("status", { enum: CONTACT_STATUSES }).notNull().default("lead"),
    source: text("source"),
    need: text("need"),
    area: text("area"),
    budget: text("budget"),
    notes: text("notes"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("contacts_name_idx").on(t.name), index("contacts_email_idx").on(t.email)],
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
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  },
  (t) => [index("tasks_contact_idx").on(t.contactId), index("tasks_status_idx").on(t.status)],
);
