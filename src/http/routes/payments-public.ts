/**
 * The payment routes that providers and buyers call, without a session (mounted before the session guard):
 *
 * - POST /api/crm/payments/paypal/webhook — PayPal's webhook (JSON), verified with PayPal before anything happens;
 *   403 when it does not verify, 501 when PayPal (or PAYPAL_WEBHOOK_ID) is not configured.
 * - GET  /api/crm/payments/paypal/return?ref=…&token=… — the buyer's return from PayPal: captures, shows a page.
 * - GET  /api/crm/payments/paypal/cancel?ref=… — the buyer cancelled at PayPal: a page.
 * - POST /api/crm/payments/tranzila/notify — Tranzila's notify (form-encoded, unsigned; checked against the report).
 * - GET|POST /api/crm/payments/tranzila/return?ref=…&result=success|fail — the buyer's return from Tranzila.
 * - anything under /api/crm/payments/stripe* — 410, Stripe is retired.
 *
 * These are server-to-server (or a provider's browser redirect) and carry no session cookie: same-origin and
 * JSON-content-type checks for cookie-authenticated writes must leave PAYMENT_PUBLIC_PATHS alone.
 *
 * The webhook, the notify and a return that carries a transaction cost a signed call to the provider each, so an
 * address that keeps sending ones that do not verify is answered 429 (callback-limit.ts).
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { ProviderError } from "../../providers/errors.ts";
import { stripeGone } from "../../payments/stripe-gone.ts";
import { REFERENCE_FIELD } from "../../payments/tranzila.ts";
import { CallbackLimit } from "../callback-limit.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { pageKindOf, resultPage, type PageKind } from "./payments-page.ts";

export const PAYMENT_PUBLIC_PATHS = [
  "/api/crm/payments/paypal/webhook",
  "/api/crm/payments/paypal/return",
  "/api/crm/payments/paypal/cancel",
  "/api/crm/payments/tranzila/notify",
  "/api/crm/payments/tranzila/return",
] as const;

const reference = z.string().regex(/^al_[0-9a-f]{24}$/);

function page(c: Context<AppEnv>, kind: PageKind, retryUrl?: string | null, status: 200 | 404 | 502 = 200) {
  return c.html(resultPage(kind, retryUrl), status, {
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
}

/** A provider's form (or JSON) body as flat strings. */
async function fields(c: Context<AppEnv>): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (type.includes("multipart/form-data")) {
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string"));
  }
  const text = await c.req.text();
  if (type.includes("json")) {
    try {
      const o = JSON.parse(text) as unknown;
      if (o && typeof o === "object" && !Array.isArray(o))
        return Object.fromEntries(Object.entries(o).filter(([, v]) => typeof v === "string" || typeof v === "number").map(([k, v]) => [k, String(v)]));
    } catch {
      // not JSON after all: read it as a form below
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export function paymentPublicRoutes(deps: HttpDeps) {
  const payments = () => deps.services().payments;
  const paypalLimit = new CallbackLimit("PayPal webhook");
  // the notify and the buyer's return both ask Tranzila's report: one budget
  const tranzilaLimit = new CallbackLimit("Tranzila notify");
  return new Hono<AppEnv>()
    .all("/stripe*", () => {
      throw stripeGone();
    })
    .post("/paypal/webhook", async (c) => {
      const raw = await c.req.text();
      const headers = {
        authAlgo: c.req.header("paypal-auth-algo"),
        certUrl: c.req.header("paypal-cert-url"),
        transmissionId: c.req.header("paypal-transmission-id"),
        transmissionSig: c.req.header("paypal-transmission-sig"),
        transmissionTime: c.req.header("paypal-transmission-time"),
      };
      // onWebhook answers only for an event PayPal verified (it throws otherwise)
      const result = await paypalLimit.run(c, () => payments().paypal.onWebhook(raw, headers), () => true);
      return c.json({ ok: true, ...result });
    })
    .get("/paypal/return", async (c) => {
      const ref = reference.safeParse(c.req.query("ref"));
      if (!ref.success) return page(c, "unknown", null, 404);
      try {
        const payment = await payments().paypal.onReturn(ref.data, c.req.query("token"));
        if (!payment) return page(c, "unknown", null, 404);
        return page(c, pageKindOf(payment.status), payment.url);
      } catch (err) {
        if (err instanceof ProviderError) return page(c, "error", null, 502);
        throw err;
      }
    })
    .get("/paypal/cancel", (c) => {
      const ref = reference.safeParse(c.req.query("ref"));
      const payment = ref.success ? payments().paypal.onCancel(ref.data) : undefined;
      if (!payment) return page(c, "unknown", null, 404);
      return page(c, payment.status === "pending" ? "cancelled" : pageKindOf(payment.status), payment.url);
    })
    .post("/tranzila/notify", async (c) => {
      const form = await fields(c);
      const result = await tranzilaLimit.run(c, () => payments().tranzila.onNotify(form, c.req.query("ref")), (r) => r.proven === true);
      return c.json({ ok: true, outcome: result.outcome });
    })
    .on(["GET", "POST"], "/tranzila/return", async (c) => {
      const ref = reference.safeParse(c.req.query("ref") ?? c.req.query(REFERENCE_FIELD));
      if (!ref.success) return page(c, "unknown", null, 404);
      const form = c.req.method === "POST" ? await fields(c) : c.req.query();
      let status: 200 | 502 = 200;
      // the return carries the same unsigned fields as the notify: a second chance to check the transaction
      if (form.index && (form.Response ?? "000") === "000") {
        try {
          await tranzilaLimit.run(c, () => payments().tranzila.onNotify(form, ref.data), (r) => r.proven === true);
        } catch (err) {
          // over budget or unverifiable: the page still shows where the payment stands
          if (err instanceof ProviderError) status = 502;
          else if (!(err instanceof AppError)) throw err;
        }
      }
      const payment = payments().byReference(ref.data, "tranzila");
      if (!payment) return page(c, "unknown", null, 404);
      const kind = pageKindOf(payment.status);
      if (status === 502 && kind !== "paid") return page(c, "error", null, 502);
      return page(c, kind === "pending" && c.req.query("result") === "fail" ? "failed" : kind);
    });
}
