/**
 * Tranzila's notify (and the buyer's return, which carries the same unsigned fields): a form POST that anyone could
 * forge, so it only names a transaction. The transaction is read back from Tranzila's report with the signed API
 * headers and must match our terminal, amount, currency and reference (tranzila-match.ts) before anything is paid.
 *
 * Idempotent on the transaction index: a verified index is recorded once (`notify` event, unique per index) and
 * can credit one payment only; replays answer at once without asking Tranzila again, and concurrent copies of one
 * notify share one check. What cannot be verified — an unknown reference, a report that disagrees, a report that
 * cannot be read — is kept for review and marks nothing paid.
 *
 * A notify naming a transaction Tranzila's report does not have is what a forger sends (anyone who saw a link knows
 * its reference): it is recorded once per index (`notify_unverified`, externalId `<index>:unverified`) and leaves
 * the payment as it was — it must not park a payable link in `review`, which never expires.
 */
import type { Payment, PaymentStore } from "../crm/payments.ts";
import { AppError } from "../errors.ts";
import { EV, log } from "../log.ts";
import { ProviderError } from "../providers/errors.ts";
import { notConfigured } from "./not-configured.ts";
import { checkTransaction } from "./tranzila-match.ts";
import { REFERENCE_FIELD, type TranzilaClient } from "./tranzila.ts";

export type NotifyOutcome = "paid" | "replay" | "declined" | "review" | "unverified" | "unknown";
export interface NotifyResult {
  outcome: NotifyOutcome;
  payment?: Payment;
  /** True only when Tranzila's report proved this transaction paid this payment (now or on an earlier copy). */
  proven?: boolean;
}

/** The external id of a notify that could not be checked: one row per index, however often it is sent. */
const unverifiedId = (index: string) => `${index}:unverified`;

/** The notify fields worth keeping: never card data (ccno, expiry, tokens, ids). */
const KEPT_FIELDS = ["Response", "index", "sum", "currency", "ConfirmationCode", "supplier", "terminal_name", "tranmode", REFERENCE_FIELD, "thtk"];

export class TranzilaFlow {
  private inflight = new Map<string, Promise<NotifyResult>>();

  constructor(
    private store: PaymentStore,
    private client: TranzilaClient | undefined,
  ) {}

  /** `fields`: the notify's form; `queryRef`: a `ref` on the URL (the return URLs carry one). */
  async onNotify(fields: Record<string, string>, queryRef?: string): Promise<NotifyResult> {
    if (!this.client) throw notConfigured("tranzila");
    const index = fields.index?.trim() ?? "";
    if (!/^\d{1,18}$/.test(index)) throw new AppError("validation", "index: a Tranzila notify carries the transaction index", "index");
    const formRef = fields[REFERENCE_FIELD]?.trim() || undefined;
    const data = { ...Object.fromEntries(KEPT_FIELDS.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]!.slice(0, 200)])), ...(queryRef ? { queryRef } : {}) };
    log.info(EV.PAYMENT_NOTIFY, { provider: "tranzila", index, response: fields.Response });

    if (formRef && queryRef && formRef !== queryRef) return this.unmatched(index, data, `the form's ${REFERENCE_FIELD} and the URL's ref disagree`);
    const reference = formRef ?? queryRef;
    const payment = reference ? this.store.byReference(reference) : undefined;
    if (!payment || payment.provider !== "tranzila") return this.unmatched(index, data, reference ? `no Tranzila payment with reference ${reference}` : "the notify names no reference");

    if (fields.Response !== undefined && fields.Response !== "000") {
      // a declined attempt moved no money; the buyer may try again on the same page
      const r = this.store.change(payment.id, { event: { kind: "declined", externalId: index, data } });
      return { outcome: r.replay ? "replay" : "declined", payment: r.payment };
    }
    if (this.store.seen("tranzila", "notify", index)) return { outcome: "replay", payment: this.store.byId(payment.id), proven: true };

    const key = `${index}:${payment.id}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.verify(payment, index, data).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async verify(payment: Payment, index: string, data: Record<string, unknown>): Promise<NotifyResult> {
    const client = this.client!;
    let row: Record<string, unknown> | undefined;
    try {
      row = await client.transaction(index);
    } catch (err) {
      // kept for review (the money may well have been taken); a later copy of this notify that verifies still pays
      const message = err instanceof Error ? err.message : String(err);
      this.review(payment, { kind: "notify_unverified", externalId: unverifiedId(index), data: { ...data, error: message } });
      if (err instanceof ProviderError) throw err;
      throw new ProviderError("tranzila", "unknown", true, message);
    }
    if (!row) {
      // no such transaction: a forged (or mistyped) index; noted once, the payment stays as it was
      const why = `Tranzila's report has no transaction ${index}`;
      log.warn(EV.PAYMENT_REVIEW, { paymentId: payment.id, provider: "tranzila", kind: "notify_unverified", index, why });
      const r = this.store.change(payment.id, { event: { kind: "notify_unverified", externalId: unverifiedId(index), review: true, data: { ...data, error: why } } });
      return { outcome: "unverified", payment: r.payment };
    }

    const verdict = checkTransaction(row, { terminal: client.config.terminal, amount: payment.amount, currency: payment.currency, reference: payment.reference });
    const report = { amount: row.amount, currency: row.currency, responseCode: row.processor_response_code ?? row.response_code, txnType: row.txn_type, tranmode: row.tranmode };
    if (verdict.kind === "declined")
      // the notify said approved, the report says declined: a forged or confused notify; nothing moves
      return { outcome: "declined", payment: this.store.change(payment.id, { event: { kind: "declined", externalId: index, review: true, data: { ...data, report } } }).payment };
    if (verdict.kind === "mismatch")
      return this.review(payment, { kind: "notify_review", externalId: `${index}:${payment.reference}`, data: { ...data, report, reasons: verdict.reasons } });

    const result = this.store.change(payment.id, { to: "paid", set: { providerTxn: index }, event: { kind: "notify", externalId: index, data: { ...data, report } } });
    if (result.replay) return { outcome: "replay", payment: result.payment, proven: true };
    if (result.refused) {
      log.warn(EV.PAYMENT_REVIEW, { paymentId: payment.id, provider: "tranzila", index, why: result.refused });
      return { outcome: "review", payment: result.payment };
    }
    if (result.changed) log.info(EV.PAYMENT_PAID, { paymentId: payment.id, provider: "tranzila", index });
    return { outcome: "paid", payment: result.payment, proven: true };
  }

  /** The payment goes to review (when its state allows) with the event that says why. */
  private review(payment: Payment, event: { kind: string; externalId?: string; data: Record<string, unknown> }): NotifyResult {
    log.warn(EV.PAYMENT_REVIEW, { paymentId: payment.id, provider: "tranzila", kind: event.kind, reasons: event.data.reasons ?? event.data.error });
    const r = this.store.change(payment.id, { to: "review", event: { ...event, review: true } });
    return { outcome: r.replay ? "replay" : "review", payment: r.payment };
  }

  private unmatched(index: string, data: Record<string, unknown>, why: string): NotifyResult {
    log.warn(EV.PAYMENT_REVIEW, { provider: "tranzila", index, why });
    const kept = this.store.keepUnmatched("tranzila", { kind: "notify_unmatched", externalId: index, data: { ...data, why } });
    return { outcome: kept ? "unknown" : "replay" };
  }
}
