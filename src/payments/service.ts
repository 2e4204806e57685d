/**
 * Payment links: the one service the admin API, the inbox, WhatsApp and the agent's dialog use.
 * `createLink({contactId, amount, currency, description, provider})` asks the provider for a link and answers
 * `{id, status, url, …}`; PayPal's capture/webhook and Tranzila's notify live in paypal-flow.ts / tranzila-flow.ts.
 *
 * Half-written links: the payment row is created first (`created`, no link), so the provider's idempotency key and
 * return URLs can name it; if the provider then fails or times out the row is marked `failed` (event
 * `provider_error`) and the caller gets the provider's error (502). A row never claims a link it does not have.
 *
 * Expiry is lazy: whenever payments are listed, shown or created, `pending` links older than their provider's
 * lifetime become `expired` (PayPal: an unapproved order lives 3 hours; Tranzila: the handshake token is
 * "time-limited" with no published figure — 24 hours is assumed). A payment proven paid later still becomes paid.
 */
import { randomBytes } from "node:crypto";
import type { PaymentEvent, Payment, PaymentFilter, PaymentStore } from "../crm/payments.ts";
import type { PaymentStatus } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { EV, log } from "../log.ts";
import type { Role } from "../roles.ts";
import { toDecimal, type Currency } from "./money.ts";
import { notConfigured } from "./not-configured.ts";
import { PayPalFlow } from "./paypal-flow.ts";
import type { PayPalClient } from "./paypal.ts";
import { TranzilaFlow } from "./tranzila-flow.ts";
import type { TranzilaClient } from "./tranzila.ts";

export type Provider = Payment["provider"];

/** How long a link can be paid (ms). */
export const LINK_TTL_MS: Record<Provider, number> = { paypal: 3 * 60 * 60_000, tranzila: 24 * 60 * 60_000 };
/** A `created` row older than this never got its link (the process stopped mid-way): it is marked failed. */
export const STUCK_CREATED_MS = 10 * 60_000;

export interface Viewer {
  id: number;
  role: Role;
}

export interface CreateLinkInput {
  contactId?: number;
  /** Integer minor units (agorot, cents). */
  amount: number;
  currency: Currency;
  description: string;
  provider: Provider;
}

export interface PaymentView {
  id: number;
  reference: string;
  status: PaymentStatus;
  amount: number;
  /** The same amount as a decimal string in major units ("150.00"), for display. */
  amountDecimal: string;
  currency: Currency;
  provider: Provider;
  description: string;
  url: string | null;
  contactId: number | null;
  providerRef: string | null;
  providerTxn: string | null;
  createdById: number | null;
  createdAt: Date;
  updatedAt: Date;
  paidAt: Date | null;
  expiresAt: Date;
}

export type PaymentDetail = PaymentView & { events: Array<Omit<PaymentEvent, "paymentId">> };

export interface ContactLookup {
  byId(id: number): { id: number; ownerId: number | null; name: string | null } | undefined;
}

export interface PaymentServiceOptions {
  store: PaymentStore;
  contacts: ContactLookup;
  paypal?: PayPalClient;
  tranzila?: TranzilaClient;
  /** PUBLIC_BASE_URL: where buyers and providers reach this server. */
  publicBaseUrl?: string;
  language: "he-IL" | "en-US";
  /** The business's name, shown on PayPal's page. */
  brandName?: () => string | undefined;
  now?: () => number;
}

export class PaymentService {
  readonly paypal: PayPalFlow;
  readonly tranzila: TranzilaFlow;
  private readonly store: PaymentStore;
  private readonly now: () => number;

  constructor(private opts: PaymentServiceOptions) {
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.paypal = new PayPalFlow(opts.store, opts.paypal);
    this.tranzila = new TranzilaFlow(opts.store, opts.tranzila);
  }

  configured(provider: Provider): boolean {
    return Boolean(provider === "paypal" ? this.opts.paypal : this.opts.tranzila);
  }

  /**
   * Creates a payment and its link. `actor` is who asks (an agent only for contacts they own; the dialog passes
   * none); `baseUrl` is this server's address as the request saw it, used for PayPal's return URL when
   * PUBLIC_BASE_URL is not set. Throws AppError (404/403/501) or the provider's ProviderError.
   */
  async createLink(input: CreateLinkInput, ctx: { actor?: Viewer; baseUrl?: string } = {}): Promise<PaymentView> {
    if (!this.configured(input.provider)) throw notConfigured(input.provider, "provider");
    const contact = this.contactFor(input.contactId, ctx.actor);
    const base = input.provider === "tranzila" ? this.opts.publicBaseUrl : (this.opts.publicBaseUrl ?? ctx.baseUrl);
    if (!base)
      throw new AppError(
        "not_configured",
        input.provider === "tranzila"
          ? "Tranzila links need PUBLIC_BASE_URL — the public https address of this server — because Tranzila sends its payment notification to PUBLIC_BASE_URL/api/crm/payments/tranzila/notify"
          : "PayPal links need PUBLIC_BASE_URL (the public https address buyers return to after paying)",
      );
    this.expireDue();
    const reference = `al_${randomBytes(12).toString("hex")}`;
    const row = this.store.create({
      reference,
      contactId: contact?.id ?? null,
      amount: input.amount,
      currency: input.currency,
      description: input.description,
      provider: input.provider,
      createdById: ctx.actor?.id ?? null,
    });
    try {
      const link = input.provider === "paypal" ? await this.paypalLink(row, base) : await this.tranzilaLink(row, base, contact?.name ?? undefined);
      const { payment } = this.store.change(row.id, {
        to: "pending",
        set: { url: link.url, providerRef: link.providerRef },
        event: { kind: "link", data: { providerRef: link.providerRef } },
        actorId: ctx.actor?.id,
      });
      log.info(EV.PAYMENT_LINK_CREATED, { paymentId: row.id, provider: row.provider, amount: row.amount, currency: row.currency });
      return this.view(payment);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.store.change(row.id, { to: "failed", event: { kind: "provider_error", data: { message } }, actorId: ctx.actor?.id });
      log.warn(EV.PAYMENT_PROVIDER_FAILED, { paymentId: row.id, provider: row.provider, err: message });
      throw err;
    }
  }

  /** The link went out to the customer (e.g. on WhatsApp from a call): kept in the payment's history. */
  linkSent(id: number, via: { channel: string; messageId: number }): void {
    this.store.change(id, { event: { kind: "link_sent", data: via } });
  }

  /**
   * The link could not be delivered (WhatsApp refused, the number is not on WhatsApp, …): nobody has it, so the
   * payment is withdrawn — `failed`, with event `link_not_sent` and the reason — rather than left `pending` as if
   * a customer could pay it. A provider's later proof of payment still wins (failed → paid).
   */
  linkNotSent(id: number, reason: string): void {
    this.store.change(id, { to: "failed", event: { kind: "link_not_sent", data: { reason } } });
  }

  private async paypalLink(row: Payment, base: string) {
    const ref = encodeURIComponent(row.reference);
    const { orderId, url } = await this.opts.paypal!.createOrder({
      reference: row.reference,
      amount: row.amount,
      currency: row.currency,
      description: row.description,
      returnUrl: `${base}/api/crm/payments/paypal/return?ref=${ref}`,
      cancelUrl: `${base}/api/crm/payments/paypal/cancel?ref=${ref}`,
      locale: this.opts.language,
      brandName: this.opts.brandName?.(),
    });
    return { url, providerRef: orderId };
  }

  private async tranzilaLink(row: Payment, base: string, contactName?: string) {
    const client = this.opts.tranzila!;
    const thtk = await client.handshake(row.amount, row.currency, row.reference);
    const ref = encodeURIComponent(row.reference);
    const url = client.pageUrl({
      thtk,
      reference: row.reference,
      amount: row.amount,
      currency: row.currency,
      description: row.description,
      notifyUrl: `${base}/api/crm/payments/tranzila/notify`,
      successUrl: `${base}/api/crm/payments/tranzila/return?ref=${ref}&result=success`,
      failUrl: `${base}/api/crm/payments/tranzila/return?ref=${ref}&result=fail`,
      language: this.opts.language,
      contactName,
    });
    return { url, providerRef: thtk };
  }

  /** The contact a payment is for; agents may only use contacts they own (else 404, as if it did not exist). */
  private contactFor(contactId: number | undefined, actor?: Viewer) {
    if (contactId === undefined) {
      if (actor?.role === "agent") throw new AppError("forbidden", "contactId: agents create payments for their own contacts", "contactId");
      return undefined;
    }
    const contact = this.opts.contacts.byId(contactId);
    if (!contact || (actor?.role === "agent" && contact.ownerId !== actor.id)) throw new AppError("not_found", `no contact ${contactId}`, "contactId");
    return contact;
  }

  list(filter: Omit<PaymentFilter, "ownerId">, viewer: Viewer): { items: PaymentView[]; total: number; page: number; limit: number } {
    this.expireDue();
    const { items, total } = this.store.list({ ...filter, ownerId: viewer.role === "agent" ? viewer.id : undefined });
    return { items: items.map((p) => this.view(p)), total, page: filter.page, limit: filter.limit };
  }

  /** A payment with its history; 404 for an agent when the payment's contact is not theirs. */
  show(id: number, viewer: Viewer): PaymentDetail {
    this.expireDue();
    const p = this.store.byId(id);
    if (!p || !this.visible(p, viewer)) throw new AppError("not_found", `no payment ${id}`);
    return { ...this.view(p), events: this.store.events(p.id).map(({ paymentId: _p, ...e }) => e) };
  }

  /** The payment behind a provider's return URL (no viewer: the buyer sees only its state). */
  byReference(reference: string, provider: Provider): Payment | undefined {
    const p = this.store.byReference(reference);
    return p?.provider === provider ? p : undefined;
  }

  private visible(p: Payment, viewer: Viewer): boolean {
    if (viewer.role !== "agent") return true;
    if (!p.contactId) return false;
    return this.opts.contacts.byId(p.contactId)?.ownerId === viewer.id;
  }

  /** Marks lapsed links expired (and rows stuck without a link failed); returns how many changed. */
  expireDue(): number {
    const now = this.now();
    const cutoffs = { paypal: new Date(now - LINK_TTL_MS.paypal), tranzila: new Date(now - LINK_TTL_MS.tranzila) };
    let n = 0;
    for (const p of this.store.due(cutoffs, new Date(now - STUCK_CREATED_MS))) {
      const to = p.status === "created" ? "failed" : "expired";
      const kind = to === "failed" ? "no_link" : "expired";
      if (this.store.change(p.id, { to, event: { kind, data: { ttlMs: LINK_TTL_MS[p.provider] } } }).changed) n++;
    }
    return n;
  }

  view(p: Payment): PaymentView {
    return {
      id: p.id,
      reference: p.reference,
      status: p.status,
      amount: p.amount,
      amountDecimal: toDecimal(p.amount, p.currency),
      currency: p.currency,
      provider: p.provider,
      description: p.description,
      url: p.url,
      contactId: p.contactId,
      providerRef: p.providerRef,
      providerTxn: p.providerTxn,
      createdById: p.createdById,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      paidAt: p.paidAt,
      expiresAt: new Date(p.createdAt.getTime() + LINK_TTL_MS[p.provider]),
    };
  }
}
