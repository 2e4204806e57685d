/** Payment links and everything that happened to them. */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./auth.ts";
import { contacts } from "./contacts.ts";
import { now } from "./now.ts";

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
