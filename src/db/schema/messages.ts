import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth.ts";
import { contacts } from "./contacts.ts";
import { now } from "./now.ts";

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
