/**
 * PayPal after the link: capturing an approved order — from the buyer's return URL or the CHECKOUT.ORDER.APPROVED
 * webhook, whichever comes first, exactly once (one capture in flight per payment in this process, and PayPal's
 * `PayPal-Request-Id` derived from the payment for anything beyond it) — and the webhook's other events.
 *
 * A payment is paid only by a COMPLETED capture whose amount, currency and `custom_id` match it; a capture that
 * disagrees puts the payment in `review`. A webhook is acted on only after PayPal's verify-webhook-signature call
 * says SUCCESS for the body exactly as received; an event about an order we do not know is kept for review.
 */
import { z } from "zod";
import type { Payment, PaymentStore } from "../crm/payments.ts";
import { AppError } from "../errors.ts";
import { EV, log } from "../log.ts";
import { fromDecimal } from "./money.ts";
import { notConfigured } from "./not-configured.ts";
import { captureSchema, firstCapture, orderSchema, type PayPalCapture, type PayPalClient, type PayPalOrder, type WebhookHeaders } from "./paypal.ts";

const eventSchema = z.looseObject({ id: z.string().min(1), event_type: z.string().min(1), resource: z.looseObject({}) });
const refundSchema = z.looseObject({
  id: z.string(),
  status: z.string().optional(),
  custom_id: z.string().optional(),
  amount: z.object({ currency_code: z.string(), value: z.string() }).optional(),
  links: z.array(z.object({ rel: z.string(), href: z.string() })).optional(),
});

export type WebhookResult = { outcome: "handled" | "replay" | "review" | "ignored"; paymentId?: number };

export class PayPalFlow {
  private inflight = new Map<number, Promise<Payment>>();

  constructor(
    private store: PaymentStore,
    private client: PayPalClient | undefined,
  ) {}

  private get paypal(): PayPalClient {
    if (!this.client) throw notConfigured("paypal");
    return this.client;
  }

  /** Captures the payment's order once, however many callers ask at the same time. */
  capture(payment: Payment, trigger: string): Promise<Payment> {
    const running = this.inflight.get(payment.id);
    if (running) return running;
    const p = this.doCapture(payment.id, trigger).finally(() => this.inflight.delete(payment.id));
    this.inflight.set(payment.id, p);
    return p;
  }

  private async doCapture(id: number, trigger: string): Promise<Payment> {
    const payment = this.store.byId(id)!;
    if (payment.status === "paid" || payment.status === "refunded" || !payment.providerRef) return payment;
    const outcome = await this.paypal.capture(payment.providerRef, payment.reference);
    if (outcome.kind === "order") return this.applyOrder(payment, outcome.order, trigger);
    if (outcome.issue === "ORDER_ALREADY_CAPTURED") return this.applyOrder(payment, await this.paypal.getOrder(payment.providerRef), trigger);
    // not approved yet, the buyer's card was declined (they may pick another at PayPal), or the order lapsed
    const to = outcome.issue === "ORDER_EXPIRED" || outcome.issue === "RESOURCE_NOT_FOUND" ? "expired" : undefined;
    return this.store.change(payment.id, { to, event: { kind: "capture_issue", data: { issue: outcome.issue, message: outcome.message, trigger } } }).payment;
  }

  private applyOrder(payment: Payment, order: PayPalOrder, trigger: string): Payment {
    const capture = firstCapture(order);
    if (!capture) return this.store.change(payment.id, { event: { kind: "capture_issue", data: { issue: "NO_CAPTURE", orderStatus: order.status, trigger } } }).payment;
    return this.applyCapture(payment, capture, { kind: "capture", externalId: capture.id, trigger });
  }

  /** A capture as PayPal reports it (capture answer or webhook) → paid, failed, still pending, or review. */
  private applyCapture(payment: Payment, capture: PayPalCapture, event: { kind: string; externalId: string; trigger: string }): Payment {
    const data = { captureId: capture.id, captureStatus: capture.status, amount: capture.amount, customId: capture.custom_id, trigger: event.trigger };
    const base = { kind: event.kind, externalId: event.externalId, data };
    switch (capture.status) {
      case "COMPLETED": {
        const problems = this.disagreements(payment, capture);
        if (problems.length) {
          log.warn(EV.PAYMENT_REVIEW, { paymentId: payment.id, provider: "paypal", reasons: problems });
          return this.store.change(payment.id, { to: "review", event: { ...base, review: true, data: { ...data, reasons: problems } } }).payment;
        }
        const result = this.store.change(payment.id, { to: "paid", set: { providerTxn: capture.id }, event: base });
        if (result.changed) log.info(EV.PAYMENT_PAID, { paymentId: payment.id, provider: "paypal", captureId: capture.id });
        return result.payment;
      }
      case "DECLINED":
      case "FAILED":
        return this.store.change(payment.id, { to: "failed", event: base }).payment;
      default:
        // PENDING (e.g. an eCheck, a review at PayPal): PAYMENT.CAPTURE.COMPLETED follows
        return this.store.change(payment.id, { event: base }).payment;
    }
  }

  private disagreements(payment: Payment, capture: PayPalCapture): string[] {
    const out: string[] = [];
    if (!capture.amount) out.push("the capture carries no amount");
    else {
      if (capture.amount.currency_code !== payment.currency) out.push(`currency ${capture.amount.currency_code}, expected ${payment.currency}`);
      else if (fromDecimal(capture.amount.value, payment.currency) !== payment.amount) out.push(`amount ${capture.amount.value}, expected ${payment.amount} minor units`);
    }
    if (capture.custom_id !== undefined && capture.custom_id !== payment.reference) out.push(`custom_id ${capture.custom_id}, expected ${payment.reference}`);
    return out;
  }

  /** The buyer came back from PayPal: capture (once) and report where the payment stands. */
  async onReturn(reference: string, token: string | undefined): Promise<Payment | undefined> {
    const payment = this.store.byReference(reference);
    if (!payment || payment.provider !== "paypal") return undefined;
    // PayPal appends its order id as `token`; another order's id is not this payment's approval
    if (token && payment.providerRef && token !== payment.providerRef) return payment;
    return this.capture(payment, "return");
  }

  /** The buyer cancelled at PayPal: noted once, nothing else changes (the link stays payable until it expires). */
  onCancel(reference: string): Payment | undefined {
    const payment = this.store.byReference(reference);
    if (!payment || payment.provider !== "paypal") return undefined;
    return this.store.change(payment.id, { event: { kind: "buyer_cancelled", externalId: payment.reference } }).payment;
  }

  /** A webhook delivery: verified with PayPal first (403 when it does not verify), then acted on once. */
  async onWebhook(raw: string, headers: WebhookHeaders): Promise<WebhookResult> {
    const client = this.paypal;
    if (!client.config.webhookId) throw new AppError("not_configured", "PAYPAL_WEBHOOK_ID is not set: PayPal webhooks cannot be verified until it is");
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new AppError("bad_json", "webhook body is not JSON");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new AppError("bad_json", "webhook body is not a JSON object");
    if (!(await client.verifyWebhook(raw, headers))) {
      log.warn(EV.PAYMENT_WEBHOOK_FORGED, { provider: "paypal", transmissionId: headers.transmissionId });
      throw new AppError("forbidden", "PayPal webhook signature did not verify");
    }
    const event = eventSchema.safeParse(parsed);
    if (!event.success) throw new AppError("validation", "webhook event lacks id, event_type or resource");
    const { id: eventId, event_type: type, resource } = event.data;
    if (this.store.seen("paypal", "webhook", eventId)) return { outcome: "replay" };
    const found = this.locate(type, resource);
    const note = { kind: "webhook", externalId: eventId, data: { type, ...found.summary } };
    if (!found.payment) {
      const kept = this.store.keepUnmatched("paypal", { ...note, data: { ...note.data, why: found.why ?? "no payment for this order" } });
      log.warn(EV.PAYMENT_REVIEW, { provider: "paypal", eventId, type, why: found.why ?? "unknown order" });
      return { outcome: kept ? "review" : "replay" };
    }
    const payment = found.payment;
    switch (type) {
      case "CHECKOUT.ORDER.APPROVED": {
        const after = await this.capture(payment, "webhook");
        this.store.change(payment.id, { event: note });
        return { outcome: "handled", paymentId: after.id };
      }
      case "CHECKOUT.ORDER.COMPLETED": {
        const order = orderSchema.safeParse(resource);
        const capture = order.success ? firstCapture(order.data) : undefined;
        if (capture) this.applyCapture(payment, capture, { ...note, trigger: "webhook" });
        else this.store.change(payment.id, { event: note });
        return { outcome: "handled", paymentId: payment.id };
      }
      case "PAYMENT.CAPTURE.COMPLETED":
      case "PAYMENT.CAPTURE.PENDING":
      case "PAYMENT.CAPTURE.DENIED":
      case "PAYMENT.CAPTURE.DECLINED": {
        const capture = captureSchema.safeParse(resource);
        if (!capture.success) return this.keepOn(payment, note, "capture resource unreadable");
        const status = type === "PAYMENT.CAPTURE.DENIED" || type === "PAYMENT.CAPTURE.DECLINED" ? "DECLINED" : capture.data.status;
        this.applyCapture(payment, { ...capture.data, status }, { ...note, trigger: "webhook" });
        return { outcome: "handled", paymentId: payment.id };
      }
      case "PAYMENT.CAPTURE.REFUNDED":
      case "PAYMENT.CAPTURE.REVERSED": {
        const refund = refundSchema.safeParse(resource);
        const amount = refund.success && refund.data.amount ? fromDecimal(refund.data.amount.value, payment.currency) : undefined;
        const full = amount === undefined || (amount >= payment.amount && refund.data?.amount?.currency_code === payment.currency);
        // a partial refund is recorded; the payment stays paid
        this.store.change(payment.id, { to: full ? "refunded" : undefined, event: { ...note, data: { ...note.data, partial: !full } } });
        return { outcome: "handled", paymentId: payment.id };
      }
      default:
        this.store.change(payment.id, { event: note });
        return { outcome: "ignored", paymentId: payment.id };
    }
  }

  private keepOn(payment: Payment, note: { kind: string; externalId: string; data: Record<string, unknown> }, why: string): WebhookResult {
    this.store.change(payment.id, { event: { ...note, review: true, data: { ...note.data, why } } });
    return { outcome: "review", paymentId: payment.id };
  }

  /**
   * Which payment an event is about: by order id (our providerRef), by capture id (providerTxn), by custom_id (our
   * reference). When the ids point at different payments, none is trusted.
   */
  private locate(type: string, resource: Record<string, unknown>): { payment?: Payment; why?: string; summary: Record<string, unknown> } {
    const r = resource as {
      id?: unknown;
      custom_id?: unknown;
      status?: unknown;
      amount?: unknown;
      purchase_units?: Array<{ custom_id?: unknown }>;
      supplementary_data?: { related_ids?: { order_id?: unknown } };
      links?: Array<{ rel?: unknown; href?: unknown }>;
    };
    const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
    const isOrder = type.startsWith("CHECKOUT.ORDER.");
    const isRefund = type === "PAYMENT.CAPTURE.REFUNDED" || type === "PAYMENT.CAPTURE.REVERSED";
    const orderId = isOrder ? str(r.id) : str(r.supplementary_data?.related_ids?.order_id);
    const upHref = r.links?.find((l) => l.rel === "up")?.href;
    const captureId = isOrder ? undefined : isRefund ? str(typeof upHref === "string" ? upHref.split("/").pop() : undefined) : str(r.id);
    const customId = isOrder ? str(r.purchase_units?.[0]?.custom_id) : str(r.custom_id);
    const summary = { resourceId: str(r.id), orderId, captureId, customId, status: str(r.status), amount: r.amount };
    const candidates = [
      orderId ? this.store.byProviderRef("paypal", orderId) : undefined,
      captureId ? this.store.byProviderTxn("paypal", captureId) : undefined,
      customId ? this.store.byReference(customId) : undefined,
    ].filter((p): p is Payment => Boolean(p));
    const ids = new Set(candidates.map((p) => p.id));
    if (ids.size > 1) return { why: `ids point at different payments (${[...ids].join(", ")})`, summary };
    const payment = candidates[0];
    if (payment && payment.provider !== "paypal") return { why: `payment ${payment.id} is not a PayPal payment`, summary };
    if (payment && customId && customId !== payment.reference) return { why: `custom_id ${customId} is not payment ${payment.id}'s reference`, summary };
    return { payment, summary };
  }
}
