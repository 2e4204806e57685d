/** Phone calls: one row per call, with what was said (turns) and what happened (events). */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { contacts } from "./contacts.ts";
import { now } from "./now.ts";

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
