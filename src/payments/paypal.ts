/**
 * PayPal's REST API (Orders v2) as AgentLocator uses it: an OAuth token (client credentials, cached until shortly
 * before it expires, fetched once however many requests need it at the same moment), creating an order
 * (`intent: CAPTURE`, our reference as `custom_id`/`invoice_id`, an idempotency key in `PayPal-Request-Id`),
 * capturing it, reading it back, and asking PayPal whether a webhook's signature is genuine.
 *
 * Network failures, timeouts, 5xx and rejected credentials throw `ProviderError`; PayPal's business answers to a
 * capture (`ORDER_NOT_APPROVED`, `INSTRUMENT_DECLINED`, `ORDER_ALREADY_CAPTURED`, …) come back as values.
 */
import { z } from "zod";
import { ProviderError } from "../providers/errors.ts";
import { toDecimal, type Currency } from "./money.ts";
import { PROVIDER_TIMEOUT_MS, providerFetch, reason } from "./provider-fetch.ts";

export interface PayPalConfig {
  clientId: string;
  clientSecret: string;
  webhookId?: string;
  apiUrl: string;
}

const tokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });
const link = z.object({ rel: z.string(), href: z.string() });
const money = z.object({ currency_code: z.string(), value: z.string() });
export const captureSchema = z.looseObject({ id: z.string(), status: z.string(), amount: money.optional(), custom_id: z.string().optional() });
export const orderSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().optional(),
  links: z.array(link).optional(),
  purchase_units: z
    .array(
      z.looseObject({
        custom_id: z.string().optional(),
        amount: money.optional(),
        payments: z.looseObject({ captures: z.array(captureSchema).optional() }).optional(),
      }),
    )
    .optional(),
});
export type PayPalOrder = z.infer<typeof orderSchema>;
export type PayPalCapture = z.infer<typeof captureSchema>;

/** What a capture call ended in: PayPal's order after it, or the issue PayPal named (422 and friends). */
export type CaptureOutcome = { kind: "order"; order: PayPalOrder } | { kind: "issue"; issue: string; message: string; status: number };

/** The `PAYPAL-*` headers of a webhook delivery, as received. */
export interface WebhookHeaders {
  authAlgo?: string;
  certUrl?: string;
  transmissionId?: string;
  transmissionSig?: string;
  transmissionTime?: string;
}

export interface OrderInput {
  reference: string;
  amount: number;
  currency: Currency;
  description: string;
  returnUrl: string;
  cancelUrl: string;
  locale: string;
  brandName?: string;
}

export class PayPalClient {
  private token?: { value: string; refreshAt: number };
  private fetching?: Promise<string>;

  constructor(
    readonly config: PayPalConfig,
    private opts: { timeoutMs?: number; now?: () => number } = {},
  ) {}

  private get now() {
    return this.opts.now ?? Date.now;
  }

  /** A valid access token; one token request at a time however many callers are waiting. */
  accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return Promise.resolve(this.token.value);
    this.fetching ??= this.fetchToken().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetchToken(): Promise<string> {
    const basic = Buffer.from(`${this.config.clientId}:${this.config.clientSecret}`).toString("base64");
    const res = await providerFetch(
      "paypal",
      `${this.config.apiUrl}/v1/oauth2/token`,
      {
        method: "POST",
        headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: "grant_type=client_credentials",
      },
      this.timeoutMs,
    );
    const parsed = tokenAnswer.safeParse(res.json);
    if (!res.ok || !parsed.success) throw new ProviderError("paypal", "auth", false, `token request answered ${res.status}${reason(res.json, res.text)}`);
    const lifetimeMs = parsed.data.expires_in * 1000;
    // refresh before PayPal expires it: 5 minutes early, or 10 % of a short lifetime
    const margin = Math.min(5 * 60_000, lifetimeMs / 10);
    this.token = { value: parsed.data.access_token, refreshAt: this.now() + lifetimeMs - margin };
    return this.token.value;
  }

  private get timeoutMs() {
    return this.opts.timeoutMs ?? PROVIDER_TIMEOUT_MS;
  }

  /** An authorized JSON call; a 401 (token revoked early) drops the cached token and retries once. */
  private async call(method: string, path: string, body: string | undefined, headers: Record<string, string> = {}) {
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      try {
        return await providerFetch(
          "paypal",
          `${this.config.apiUrl}${path}`,
          { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json", ...headers }, body },
          this.timeoutMs,
        );
      } catch (err) {
        if (attempt === 0 && err instanceof ProviderError && err.kind === "auth") {
          if (this.token?.value === token) this.token = undefined;
          continue;
        }
        throw err;
      }
    }
  }

  /**
   * Creates the order and returns its id and the buyer's link. `PayPal-Request-Id` is derived from our reference,
   * so a retry after a timeout gets the same order back instead of a second one.
   */
  async createOrder(input: OrderInput): Promise<{ orderId: string; url: string }> {
    const body = {
      intent: "CAPTURE",
      purchase_units: [
        {
          reference_id: input.reference,
          custom_id: input.reference,
          invoice_id: input.reference,
          description: input.description.slice(0, 127),
          amount: { currency_code: input.currency, value: toDecimal(input.amount, input.currency) },
        },
      ],
      payment_source: {
        paypal: {
          experience_context: {
            return_url: input.returnUrl,
            cancel_url: input.cancelUrl,
            locale: input.locale,
            user_action: "PAY_NOW",
            shipping_preference: "NO_SHIPPING",
            ...(input.brandName ? { brand_name: input.brandName.slice(0, 127) } : {}),
          },
        },
      },
    };
    // the same id on the retry: if the first attempt created the order before failing, PayPal returns that order
    const requestId = `${input.reference}-order`;
    const res = await retryOnce(() => this.call("POST", "/v2/checkout/orders", JSON.stringify(body), { "paypal-request-id": requestId }));
    const order = orderSchema.safeParse(res.json);
    if (!res.ok || !order.success) throw new ProviderError("paypal", "bad_request", false, `creating the order answered ${res.status}${reason(res.json, res.text)}`);
    const links = order.data.links ?? [];
    const href = (links.find((l) => l.rel === "payer-action") ?? links.find((l) => l.rel === "approve"))?.href;
    if (!href) throw new ProviderError("paypal", "bad_request", false, `order ${order.data.id} came back without an approve/payer-action link`);
    return { orderId: order.data.id, url: href };
  }

  /** Captures an approved order. The idempotency key makes a repeated capture return the first one's result. */
  async capture(orderId: string, reference: string): Promise<CaptureOutcome> {
    const res = await retryOnce(() =>
      this.call("POST", `/v2/checkout/orders/${encodeURIComponent(orderId)}/capture`, undefined, {
        "paypal-request-id": `${reference}-capture`,
        prefer: "return=representation",
      }),
    );
    if (res.ok) {
      const order = orderSchema.safeParse(res.json);
      if (!order.success) throw new ProviderError("paypal", "bad_request", false, `capture of ${orderId} answered ${res.status} with an unreadable body`);
      return { kind: "order", order: order.data };
    }
    return { kind: "issue", status: res.status, ...issueOf(res.json, res.text) };
  }

  async getOrder(orderId: string): Promise<PayPalOrder> {
    const res = await this.call("GET", `/v2/checkout/orders/${encodeURIComponent(orderId)}`, undefined);
    const order = orderSchema.safeParse(res.json);
    if (!res.ok || !order.success) throw new ProviderError("paypal", "bad_request", false, `reading order ${orderId} answered ${res.status}${reason(res.json, res.text)}`);
    return order.data;
  }

  /**
   * Asks PayPal whether a webhook delivery is genuine. `rawEvent` is the request body exactly as received and is
   * embedded verbatim: PayPal's signature covers those bytes, and re-serialized JSON (key order, number and
   * unicode formatting) can fail verification. The caller has checked that `rawEvent` parses as a JSON object,
   * so embedding it cannot break out of the `webhook_event` value.
   */
  async verifyWebhook(rawEvent: string, headers: WebhookHeaders): Promise<boolean> {
    const { authAlgo, certUrl, transmissionId, transmissionSig, transmissionTime } = headers;
    if (!this.config.webhookId || !authAlgo || !certUrl || !transmissionId || !transmissionSig || !transmissionTime) return false;
    const envelope = JSON.stringify({
      auth_algo: authAlgo,
      cert_url: certUrl,
      transmission_id: transmissionId,
      transmission_sig: transmissionSig,
      transmission_time: transmissionTime,
      webhook_id: this.config.webhookId,
    });
    const body = `${envelope.slice(0, -1)},"webhook_event":${rawEvent.trim()}}`;
    const res = await this.call("POST", "/v1/notifications/verify-webhook-signature", body);
    // a 4xx means PayPal refused to check these values (a malformed header, say): not verified. 5xx/timeouts threw.
    if (!res.ok) return false;
    const status = (res.json as { verification_status?: unknown } | undefined)?.verification_status;
    return status === "SUCCESS";
  }
}

/** One more try after a timeout or a 5xx — safe only for calls carrying a PayPal-Request-Id. */
async function retryOnce<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ProviderError && err.retryable && err.kind !== "limit") return fn();
    throw err;
  }
}

function issueOf(json: unknown, text: string): { issue: string; message: string } {
  const o = (json && typeof json === "object" ? json : {}) as { name?: unknown; message?: unknown; details?: Array<{ issue?: unknown; description?: unknown }> };
  const detail = Array.isArray(o.details) ? o.details[0] : undefined;
  const issue = typeof detail?.issue === "string" ? detail.issue : typeof o.name === "string" ? o.name : "UNKNOWN";
  const message = typeof detail?.description === "string" ? detail.description : typeof o.message === "string" ? o.message : text.slice(0, 200);
  return { issue, message };
}

/** The first capture of an order, if it has one. */
export function firstCapture(order: PayPalOrder): PayPalCapture | undefined {
  return order.purchase_units?.flatMap((u) => u.payments?.captures ?? [])[0];
}
