/**
 * Wires the payment service: the PayPal and Tranzila clients exist only when their variables are set (a missing
 * one answers 501 naming them), the store writes the audit log and publishes `payment.updated` live.
 */
import type { Config } from "../config.ts";
import type { AuditService } from "../crm/audit.ts";
import { PaymentStore } from "../crm/payments.ts";
import type { Db } from "../db/client.ts";
import type { LiveFeed } from "../live-events.ts";
import { PayPalClient } from "../payments/paypal.ts";
import { PaymentService, type ContactLookup } from "../payments/service.ts";
import { TranzilaClient } from "../payments/tranzila.ts";

export interface PaymentOptions {
  /** Deadline for one provider call (ms); tests shorten it. */
  timeoutMs?: number;
  now?: () => number;
}

export function buildPayments(
  config: Readonly<Config>,
  deps: { db: Db; audit: AuditService; contacts: ContactLookup; businessName?: () => string | undefined },
  live: LiveFeed,
  opts: PaymentOptions = {},
): PaymentService {
  return new PaymentService({
    store: new PaymentStore(deps.db, deps.audit, live),
    contacts: deps.contacts,
    paypal: config.paypal ? new PayPalClient(config.paypal, opts) : undefined,
    tranzila: config.tranzila ? new TranzilaClient(config.tranzila, opts) : undefined,
    publicBaseUrl: config.publicBaseUrl,
    language: config.agentLanguage,
    brandName: deps.businessName,
    now: opts.now,
  });
}
