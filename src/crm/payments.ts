/**
 * Payments and their history: storage and the one state machine every status change goes through.
 *
 *   created ─► pending ─► paid ─► refunded
 *      │          ├─► failed │ expired ─► (paid, when the provider proves it later)
 *      └─► failed └─► review ─► paid | failed | refunded
 *
 * `review` holds a payment a notification disagreed with (amount, currency, reference). A change is one SQLite
 * transaction: the status, the event that caused it (with the provider's id of that notification, unique per
 * provider and kind, so a replay is recognised and changes nothing) and the audit row; then it is published live.
 * A change the machine does not allow is still recorded — as an event kept for review — and changes nothing.
 */
import { and, count, desc, eq, gte, inArray, isNull, lt, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contacts, paymentEvents, payments, type PaymentStatus } from "../db/schema.ts";
import { LIVE, type LiveFeed } from "../live-events.ts";
import type { AuditService } from "./audit.ts";

/** The statuses and currencies, for the routes' validation (routes never import src/db). */
export { PAYMENT_CURRENCIES, PAYMENT_STATUSES, type PaymentStatus } from "../db/schema.ts";

export type Payment = typeof payments.$inferSelect;
export type PaymentEvent = typeof paymentEvents.$inferSelect;
export type NewPayment = Pick<typeof payments.$inferInsert, "reference" | "contactId" | "amount" | "currency" | "description" | "provider" | "createdById">;
type Provider = Payment["provider"];

const ALLOWED: Record<PaymentStatus, readonly PaymentStatus[]> = {
  created: ["pending", "failed", "expired"],
  pending: ["paid", "failed", "expired", "review"],
  review: ["paid", "failed", "refunded"],
  expired: ["paid", "review"],
  failed: ["paid", "review"],
  paid: ["refunded"],
  refunded: [],
};

export function canMove(from: PaymentStatus, to: PaymentStatus): boolean {
  return ALLOWED[from].includes(to);
}

export interface EventInput {
  kind: string;
  /** The provider's id of this notification/operation; a second one with the same provider+kind+id is a replay. */
  externalId?: string | null;
  review?: boolean;
  data?: unknown;
}

export interface Change {
  to?: PaymentStatus;
  set?: Partial<Pick<Payment, "url" | "providerRef" | "providerTxn">>;
  event: EventInput;
  actorId?: number | null;
}

export type ChangeResult = { payment: Payment; changed: boolean; replay: boolean; refused?: string };

export interface PaymentFilter {
  status?: PaymentStatus;
  contactId?: number;
  provider?: Provider;
  from?: Date;
  to?: Date;
  /** Only payments of contacts this user owns (an agent's view). */
  ownerId?: number;
  page: number;
  limit: number;
}

export class PaymentStore {
  constructor(
    private db: Db,
    private audit: AuditService,
    private live: LiveFeed,
  ) {}

  byId(id: number): Payment | undefined {
    return this.db.select().from(payments).where(eq(payments.id, id)).get();
  }

  byReference(reference: string): Payment | undefined {
    return this.db.select().from(payments).where(eq(payments.reference, reference)).get();
  }

  byProviderRef(provider: Provider, ref: string): Payment | undefined {
    return this.db
      .select()
      .from(payments)
      .where(and(eq(payments.provider, provider), eq(payments.providerRef, ref)))
      .get();
  }

  byProviderTxn(provider: Provider, txn: string): Payment | undefined {
    return this.db
      .select()
      .from(payments)
      .where(and(eq(payments.provider, provider), eq(payments.providerTxn, txn)))
      .get();
  }

  /** A new payment in `created`, before any provider is asked; its `created` event and audit row with it. */
  create(values: NewPayment): Payment {
    const payment = this.db.transaction((tx) => {
      const row = tx.insert(payments).values(values).returning().get();
      tx.insert(paymentEvents).values({ paymentId: row.id, provider: row.provider, kind: "created", toStatus: "created", data: { amount: row.amount, currency: row.currency } }).run();
      this.audit.record("payment.create", { actorId: values.createdById, target: `payment:${row.id}`, details: { amount: row.amount, currency: row.currency, provider: row.provider } });
      return row;
    });
    this.publish(payment, null);
    return payment;
  }

  /**
   * Moves a payment (or only records an event on it) atomically. A replayed external id changes nothing; a move
   * the state machine refuses is recorded as an event kept for review.
   */
  change(paymentId: number, change: Change): ChangeResult {
    const result = this.db.transaction((tx): ChangeResult & { from?: PaymentStatus } => {
      const current = tx.select().from(payments).where(eq(payments.id, paymentId)).get();
      if (!current) throw new Error(`payment ${paymentId} not found`);
      let to = change.to && change.to !== current.status ? change.to : undefined;
      let refused: string | undefined;
      if (to && !canMove(current.status, to)) {
        refused = `${current.status} → ${to} is not allowed`;
        to = undefined;
      }
      const txn = change.set?.providerTxn;
      if (txn && current.providerTxn && txn !== current.providerTxn) {
        // a second transaction for a payment that already has one: a double charge, for a person to look at
        refused = `payment already has transaction ${current.providerTxn}; ${txn} is a second one`;
        to = undefined;
      } else if (txn && txn !== current.providerTxn) {
        const other = tx.select({ id: payments.id }).from(payments).where(and(eq(payments.provider, current.provider), eq(payments.providerTxn, txn))).get();
        if (other) {
          refused = `transaction ${txn} already belongs to payment ${other.id}`;
          to = undefined;
        }
      }
      const review = Boolean(change.event.review || refused);
      const data = refused ? { ...(asObject(change.event.data) ?? {}), refused } : change.event.data;
      const inserted = tx
        .insert(paymentEvents)
        .values({
          paymentId,
          provider: current.provider,
          kind: change.event.kind,
          fromStatus: current.status,
          toStatus: to ?? current.status,
          externalId: change.event.externalId ?? null,
          review,
          data: data ?? null,
        })
        .onConflictDoNothing()
        .returning({ id: paymentEvents.id })
        .get();
      if (!inserted) return { payment: current, changed: false, replay: true };
      const set = refused ? {} : { ...change.set };
      if (!to && !Object.keys(set).length) return { payment: current, changed: false, replay: false, refused };
      const now = new Date();
      const updated = tx
        .update(payments)
        .set({ ...set, ...(to ? { status: to } : {}), ...(to === "paid" ? { paidAt: now } : {}), updatedAt: now })
        .where(eq(payments.id, paymentId))
        .returning()
        .get();
      if (to)
        this.audit.record("payment.status", {
          actorId: change.actorId ?? null,
          target: `payment:${paymentId}`,
          details: { from: current.status, to, kind: change.event.kind, externalId: change.event.externalId ?? undefined },
        });
      return { payment: updated, changed: Boolean(to), replay: false, refused, from: current.status };
    });
    if (result.changed) this.publish(result.payment, result.from ?? null);
    const { from: _from, ...out } = result;
    return out;
  }

  /**
   * Records a notification that belongs to no payment we know (kept for review). False when its external id was
   * already recorded (a replay).
   */
  keepUnmatched(provider: Provider, event: EventInput): boolean {
    const inserted = this.db
      .insert(paymentEvents)
      .values({ paymentId: null, provider, kind: event.kind, externalId: event.externalId ?? null, review: true, data: event.data ?? null })
      .onConflictDoNothing()
      .returning({ id: paymentEvents.id })
      .get();
    return Boolean(inserted);
  }

  /** Was this provider notification already recorded (on any payment)? */
  seen(provider: Provider, kind: string, externalId: string): boolean {
    return Boolean(
      this.db
        .select({ id: paymentEvents.id })
        .from(paymentEvents)
        .where(and(eq(paymentEvents.provider, provider), eq(paymentEvents.kind, kind), eq(paymentEvents.externalId, externalId)))
        .get(),
    );
  }

  events(paymentId: number): PaymentEvent[] {
    return this.db.select().from(paymentEvents).where(eq(paymentEvents.paymentId, paymentId)).orderBy(paymentEvents.id).all();
  }

  /** Notifications kept for review that matched no payment, newest first. */
  unmatched(limit = 50): PaymentEvent[] {
    return this.db.select().from(paymentEvents).where(isNull(paymentEvents.paymentId)).orderBy(desc(paymentEvents.id)).limit(limit).all();
  }

  list(filter: PaymentFilter): { items: Payment[]; total: number } {
    const where: SQL[] = [];
    if (filter.status) where.push(eq(payments.status, filter.status));
    if (filter.contactId) where.push(eq(payments.contactId, filter.contactId));
    if (filter.provider) where.push(eq(payments.provider, filter.provider));
    if (filter.from) where.push(gte(payments.createdAt, filter.from));
    if (filter.to) where.push(lte(payments.createdAt, filter.to));
    if (filter.ownerId !== undefined)
      where.push(inArray(payments.contactId, this.db.select({ id: contacts.id }).from(contacts).where(eq(contacts.ownerId, filter.ownerId))));
    const cond = where.length ? and(...where) : undefined;
    const total = this.db.select({ n: count() }).from(payments).where(cond).get()?.n ?? 0;
    const items = this.db
      .select()
      .from(payments)
      .where(cond)
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(filter.limit)
      .offset((filter.page - 1) * filter.limit)
      .all();
    return { items, total };
  }

  /**
   * Payments whose link has lapsed: `pending` ones created before their provider's cut-off, and `created` ones
   * that never got a link (the process stopped while asking the provider).
   */
  due(cutoffs: Record<Provider, Date>, stuckBefore: Date): Payment[] {
    return this.db
      .select()
      .from(payments)
      .where(
        or(
          and(eq(payments.status, "pending"), eq(payments.provider, "paypal"), lt(payments.createdAt, cutoffs.paypal)),
          and(eq(payments.status, "pending"), eq(payments.provider, "tranzila"), lt(payments.createdAt, cutoffs.tranzila)),
          and(eq(payments.status, "created"), lt(payments.createdAt, stuckBefore)),
        ),
      )
      .all();
  }

  private publish(p: Payment, from: PaymentStatus | null) {
    this.live.publish(
      LIVE.PAYMENT_UPDATED,
      { id: p.id, status: p.status, from, amount: p.amount, currency: p.currency, provider: p.provider, url: p.url, paidAt: p.paidAt },
      p.contactId,
    );
  }
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
