/**
 * A real HTTP server standing in for PayPal's REST API (Orders v2, OAuth, webhook verification). It checks what a
 * client sends the way PayPal documents it — Basic auth and a form body for the token, a Bearer token PayPal
 * issued and still considers valid, JSON bodies, `PayPal-Request-Id` on creates and captures — and answers in
 * PayPal's shapes. Buyers' approval is simulated with `approve(orderId)`; webhook deliveries are signed with
 * `sign(rawEvent)`, and verify-webhook-signature checks the signature against the `webhook_event` text exactly as
 * embedded in the request (re-serialized JSON fails, as it can with PayPal).
 */
import type { Server } from "bun";
import { createHmac } from "node:crypto";

export type Fault = "500" | "hang" | "401";

interface Order {
  id: string;
  requestId: string;
  body: { purchase_units: Array<{ custom_id?: string; invoice_id?: string; reference_id?: string; description?: string; amount: { currency_code: string; value: string } }> } & Record<string, unknown>;
  approved: boolean;
  capture?: { id: string; status: string; amount: { currency_code: string; value: string }; custom_id?: string };
  captureRequestId?: string;
}

export class FakePayPal {
  readonly clientId = "fake-client-id";
  readonly clientSecret = "fake-client-secret";
  readonly webhookId = "WH0FAKE0WEBHOOK";
  private readonly signingKey = crypto.randomUUID();
  private server?: Server<unknown>;
  /** Every request as received (method, path, headers, body text). */
  readonly requests: Array<{ method: string; path: string; headers: Record<string, string>; body: string }> = [];
  readonly orders = new Map<string, Order>();
  /** Problems with what the client sent: any entry fails the test that checks it. */
  readonly violations: string[] = [];
  tokenCalls = 0;
  captureCalls = 0;
  /** Seconds each new token lives. */
  tokenLifetimeS = 32_400;
  /** Milliseconds the token endpoint (and captures) take, to widen race windows. */
  tokenDelayMs = 0;
  captureDelayMs = 0;
  /** The next N calls to a path prefix fail this way. */
  private faults: Array<{ prefix: string; fault: Fault; times: number }> = [];
  /** What the next capture reports instead of the order's own amount (to test mismatches). */
  captureAmountOverride?: { currency_code: string; value: string };
  private tokens = new Map<string, number>();
  private seq = 0;

  get url(): string {
    return `http://127.0.0.1:${this.server!.port}`;
  }

  start(): this {
    this.server = Bun.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: 0, fetch: (req) => this.handle(req) });
    return this;
  }

  /** The violations recorded so far, emptied: every file using the stand-in asserts `[]` after each test. */
  takeViolations(): string[] {
    return this.violations.splice(0);
  }

  stop() {
    this.server?.stop(true);
  }

  failNext(prefix: string, fault: Fault, times = 1) {
    this.faults.push({ prefix, fault, times });
  }

  /** The buyer approves the order at PayPal. */
  approve(orderId: string) {
    this.orders.get(orderId)!.approved = true;
  }

  /** Revoke every token (PayPal answering 401 to a token it issued). */
  revokeTokens() {
    this.tokens.clear();
  }

  /** Headers PayPal would send with this webhook body. */
  sign(raw: string, opts: { webhookId?: string } = {}): Record<string, string> {
    const id = crypto.randomUUID();
    const time = new Date().toISOString();
    return {
      "content-type": "application/json",
      "paypal-auth-algo": "SHA256withRSA",
      "paypal-cert-url": "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-fake",
      "paypal-transmission-id": id,
      "paypal-transmission-time": time,
      "paypal-transmission-sig": this.signature(id, time, opts.webhookId ?? this.webhookId, raw),
    };
  }

  private signature(id: string, time: string, webhookId: string, raw: string) {
    // PayPal signs transmission id | time | webhook id | CRC32 of the body
    return createHmac("sha256", this.signingKey).update(`${id}|${time}|${webhookId}|${Bun.hash.crc32(raw)}`).digest("base64");
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const body = await req.text();
    const headers = Object.fromEntries(req.headers);
    this.requests.push({ method: req.method, path: url.pathname, headers, body });
    const fault = this.faults.find((f) => url.pathname.startsWith(f.prefix) && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.fault === "hang") return new Promise<Response>(() => {});
      if (fault.fault === "500") return Response.json({ name: "INTERNAL_SERVER_ERROR", message: "An internal server error occurred." }, { status: 500 });
      return Response.json({ error: "invalid_token" }, { status: 401 });
    }
    if (req.method === "POST" && url.pathname === "/v1/oauth2/token") return this.token(req, body);
    if (!this.authorized(req)) return Response.json({ error: "invalid_token", error_description: "Token signature verification failed" }, { status: 401 });
    if (req.method !== "GET" && req.headers.get("content-type") !== "application/json") this.violations.push(`${url.pathname}: content-type ${req.headers.get("content-type")}`);
    if (req.method === "POST" && url.pathname === "/v2/checkout/orders") return this.createOrder(req, body);
    let m = /^\/v2\/checkout\/orders\/([^/]+)\/capture$/.exec(url.pathname);
    if (req.method === "POST" && m) return this.capture(req, decodeURIComponent(m[1]!));
    m = /^\/v2\/checkout\/orders\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && m) {
      const order = this.orders.get(decodeURIComponent(m[1]!));
      return order ? Response.json(this.orderJson(order)) : Response.json({ name: "RESOURCE_NOT_FOUND" }, { status: 404 });
    }
    if (req.method === "POST" && url.pathname === "/v1/notifications/verify-webhook-signature") return this.verify(body);
    return Response.json({ name: "NOT_FOUND" }, { status: 404 });
  }

  private async token(req: Request, body: string) {
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString("base64")}`;
    if (req.headers.get("authorization") !== expected) return Response.json({ error: "invalid_client" }, { status: 401 });
    if (req.headers.get("content-type") !== "application/x-www-form-urlencoded") this.violations.push(`token: content-type ${req.headers.get("content-type")}`);
    if (new URLSearchParams(body).get("grant_type") !== "client_credentials") this.violations.push(`token: body ${body}`);
    this.tokenCalls++;
    if (this.tokenDelayMs) await Bun.sleep(this.tokenDelayMs);
    const token = `A21AA.fake.${++this.seq}`;
    this.tokens.set(token, Date.now() + this.tokenLifetimeS * 1000);
    return Response.json({ scope: "https://uri.paypal.com/services/payments", access_token: token, token_type: "Bearer", app_id: "APP-FAKE", expires_in: this.tokenLifetimeS, nonce: "n" });
  }

  private authorized(req: Request): boolean {
    const m = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "");
    return Boolean(m && (this.tokens.get(m[1]!) ?? 0) > Date.now());
  }

  private createOrder(req: Request, text: string) {
    const requestId = req.headers.get("paypal-request-id");
    if (!requestId) this.violations.push("create order without PayPal-Request-Id");
    const existing = [...this.orders.values()].find((o) => o.requestId === requestId);
    if (existing) return Response.json(this.orderJson(existing), { status: 200 });
    const body = JSON.parse(text) as Order["body"] & { intent?: string };
    const unit = body.purchase_units?.[0];
    if (body.intent !== "CAPTURE") this.violations.push(`intent ${body.intent}`);
    if (!unit?.custom_id) this.violations.push("no custom_id");
    if (!/^\d+\.\d{2}$/.test(unit?.amount?.value ?? "")) this.violations.push(`amount.value ${unit?.amount?.value}`);
    const id = `5O190127TN${String(++this.seq).padStart(6, "0")}`;
    const order: Order = { id, requestId: requestId ?? "", body, approved: false };
    this.orders.set(id, order);
    return Response.json(this.orderJson(order), { status: 201 });
  }

  private async capture(req: Request, orderId: string) {
    this.captureCalls++;
    const order = this.orders.get(orderId);
    if (!order) return Response.json({ name: "RESOURCE_NOT_FOUND", details: [{ issue: "INVALID_RESOURCE_ID" }] }, { status: 404 });
    if (this.captureDelayMs) await Bun.sleep(this.captureDelayMs);
    const requestId = req.headers.get("paypal-request-id") ?? undefined;
    if (!requestId) this.violations.push("capture without PayPal-Request-Id");
    if (order.capture) {
      if (requestId && requestId === order.captureRequestId) return Response.json(this.orderJson(order), { status: 201 });
      return Response.json({ name: "UNPROCESSABLE_ENTITY", details: [{ issue: "ORDER_ALREADY_CAPTURED", description: "Order already captured." }] }, { status: 422 });
    }
    if (!order.approved)
      return Response.json({ name: "UNPROCESSABLE_ENTITY", details: [{ issue: "ORDER_NOT_APPROVED", description: "Payer has not yet approved the Order for payment." }] }, { status: 422 });
    const unit = order.body.purchase_units[0]!;
    order.capture = { id: `3C6790${String(++this.seq).padStart(6, "0")}`, status: "COMPLETED", amount: this.captureAmountOverride ?? unit.amount, custom_id: unit.custom_id };
    order.captureRequestId = requestId;
    return Response.json(this.orderJson(order), { status: 201 });
  }

  orderJson(order: Order) {
    const unit = order.body.purchase_units[0]!;
    return {
      id: order.id,
      status: order.capture ? "COMPLETED" : order.approved ? "APPROVED" : "PAYER_ACTION_REQUIRED",
      purchase_units: [{ reference_id: unit.reference_id, custom_id: unit.custom_id, amount: unit.amount, ...(order.capture ? { payments: { captures: [order.capture] } } : {}) }],
      links: [
        { href: `${this.url}/v2/checkout/orders/${order.id}`, rel: "self", method: "GET" },
        { href: `https://www.sandbox.paypal.com/checkoutnow?token=${order.id}`, rel: "payer-action", method: "GET" },
      ],
    };
  }

  private verify(text: string) {
    const body = JSON.parse(text) as Record<string, string>;
    for (const k of ["auth_algo", "cert_url", "transmission_id", "transmission_sig", "transmission_time", "webhook_id", "webhook_event"])
      if (!(k in body)) return Response.json({ name: "VALIDATION_ERROR", details: [{ field: k, issue: "MISSING_REQUIRED_PARAMETER" }] }, { status: 400 });
    if (!/^https:\/\//.test(body.cert_url ?? "")) return Response.json({ name: "VALIDATION_ERROR", details: [{ field: "cert_url", issue: "INVALID_PARAMETER_SYNTAX" }] }, { status: 400 });
    const raw = rawJsonValue(text, "webhook_event");
    const ok = raw !== undefined && body.transmission_sig === this.signature(body.transmission_id!, body.transmission_time!, body.webhook_id!, raw) && body.webhook_id === this.webhookId;
    return Response.json({ verification_status: ok ? "SUCCESS" : "FAILURE" });
  }
}

/** The source text of a top-level key's value in a JSON object text (balanced braces, strings respected). */
export function rawJsonValue(text: string, key: string): string | undefined {
  const at = text.indexOf(`"${key}":`);
  if (at < 0) return undefined;
  let i = at + key.length + 3;
  while (/\s/.test(text[i] ?? "")) i++;
  const start = i;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}
