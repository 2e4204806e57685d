/** PayPal's client against a real HTTP stand-in: token caching and refresh, order shape, idempotency, verification. */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { PayPalClient } from "../../../src/payments/paypal.ts";
import { ProviderError } from "../../../src/providers/errors.ts";
import { FakePayPal } from "../../fakes/paypal.ts";

let fake: FakePayPal;
let clock = Date.now();
const client = (timeoutMs = 2000) =>
  new PayPalClient({ clientId: fake.clientId, clientSecret: fake.clientSecret, webhookId: fake.webhookId, apiUrl: fake.url }, { timeoutMs, now: () => clock });
const order = (reference: string) => ({
  reference,
  amount: 15000,
  currency: "ILS" as const,
  description: "ייעוץ",
  returnUrl: "https://biz.example/api/crm/payments/paypal/return?ref=x",
  cancelUrl: "https://biz.example/api/crm/payments/paypal/cancel?ref=x",
  locale: "he-IL",
});

beforeAll(() => {
  fake = new FakePayPal().start();
});
afterAll(() => fake.stop());
afterEach(() => expect(fake.takeViolations()).toEqual([]));
beforeEach(() => {
  fake.tokenCalls = 0;
  fake.tokenDelayMs = 0;
  fake.tokenLifetimeS = 32_400;
  clock = Date.now();
});

describe("token", () => {
  test("one token serves many calls until shortly before it expires, then exactly one refresh", async () => {
    fake.tokenLifetimeS = 3600;
    const c = client();
    await c.createOrder(order("al_tok1"));
    await c.createOrder(order("al_tok2"));
    expect(fake.tokenCalls).toBe(1);
    clock += 3600_000 - 6 * 60_000; // 54 minutes later: still outside the 5-minute margin
    await c.accessToken();
    expect(fake.tokenCalls).toBe(1);
    clock += 2 * 60_000; // 4 minutes before expiry: inside the margin
    await Promise.all([c.accessToken(), c.accessToken(), c.accessToken()]);
    expect(fake.tokenCalls).toBe(2);
  });

  test("ten requests at once before any token exists fetch one token", async () => {
    fake.tokenDelayMs = 100;
    const c = client();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => c.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.tokenCalls).toBe(1);
  });

  test("the token request is Basic client_id:secret with a form body", async () => {
    await client().accessToken();
    const req = fake.requests.findLast((r) => r.path === "/v1/oauth2/token")!;
    expect(req.headers.authorization).toBe(`Basic ${btoa(`${fake.clientId}:${fake.clientSecret}`)}`);
    expect(req.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req.body).toBe("grant_type=client_credentials");
  });

  test("a token PayPal stops accepting is dropped and fetched again once", async () => {
    const c = client();
    await c.accessToken();
    fake.revokeTokens();
    await c.createOrder(order("al_revoked"));
    expect(fake.tokenCalls).toBe(2);
  });

  test("wrong credentials are an auth ProviderError naming PayPal", async () => {
    const bad = new PayPalClient({ clientId: "x", clientSecret: "y", apiUrl: fake.url }, { timeoutMs: 2000 });
    const err = await bad.accessToken().catch((e) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ provider: "paypal", kind: "auth", retryable: false });
  });
});

describe("orders", () => {
  test("create sends intent CAPTURE, our reference as custom_id, a decimal value and an idempotency key", async () => {
    const { orderId, url } = await client().createOrder(order("al_shape"));
    expect(url).toBe(`https://www.sandbox.paypal.com/checkoutnow?token=${orderId}`);
    const req = fake.requests.findLast((r) => r.path === "/v2/checkout/orders")!;
    expect(req.headers["paypal-request-id"]).toBe("al_shape-order");
    expect(req.headers.authorization).toMatch(/^Bearer A21AA\.fake\./);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      intent: "CAPTURE",
      purchase_units: [{ custom_id: "al_shape", invoice_id: "al_shape", description: "ייעוץ", amount: { currency_code: "ILS", value: "150.00" } }],
      payment_source: { paypal: { experience_context: { return_url: order("").returnUrl, cancel_url: order("").cancelUrl, locale: "he-IL" } } },
    });
    expect(fake.violations).toEqual([]);
  });

  test("a 5xx is retried once with the same PayPal-Request-Id: one order, not two", async () => {
    const before = fake.orders.size;
    fake.failNext("/v2/checkout/orders", "500");
    const { orderId } = await client().createOrder(order("al_retry"));
    expect(fake.orders.size).toBe(before + 1);
    const ids = fake.requests.filter((r) => r.path === "/v2/checkout/orders").slice(-2).map((r) => r.headers["paypal-request-id"]);
    expect(ids).toEqual(["al_retry-order", "al_retry-order"]);
    // asking again for the same payment returns the same order
    expect((await client().createOrder(order("al_retry"))).orderId).toBe(orderId);
    expect(fake.orders.size).toBe(before + 1);
  });

  test("a timeout twice is a retryable timeout ProviderError", async () => {
    fake.failNext("/v2/checkout/orders", "hang", 2);
    const t0 = performance.now();
    const err = await client(200).createOrder(order("al_slow")).catch((e) => e);
    expect(err).toMatchObject({ provider: "paypal", kind: "timeout", retryable: true });
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  test("capture before approval is an issue value, after approval the order with its capture", async () => {
    const c = client();
    const { orderId } = await c.createOrder(order("al_cap"));
    expect(await c.capture(orderId, "al_cap")).toMatchObject({ kind: "issue", issue: "ORDER_NOT_APPROVED", status: 422 });
    fake.approve(orderId);
    const done = await c.capture(orderId, "al_cap");
    expect(done.kind).toBe("order");
    const again = await c.capture(orderId, "al_cap");
    expect(again).toEqual(done);
    expect(fake.requests.filter((r) => r.path.endsWith("/capture")).every((r) => r.headers["paypal-request-id"] === "al_cap-capture")).toBe(true);
  });
});

describe("webhook verification", () => {
  // formatting JSON.stringify would change: spacing, key order, escaped Hebrew, a trailing-zero number
  const raw = `{ "id":"WH-1", "event_type" : "CHECKOUT.ORDER.APPROVED","resource":{"id":"O1","amount":1.50,"note":"\\u05e9\\u05dc\\u05d5\\u05dd"} ,"create_time":"2026-07-01T00:00:00Z"}`;

  test("the event is embedded exactly as received and PayPal says SUCCESS", async () => {
    expect(await client().verifyWebhook(raw, headersOf(fake.sign(raw)))).toBe(true);
    const sent = fake.requests.findLast((r) => r.path === "/v1/notifications/verify-webhook-signature")!;
    expect(sent.body).toContain(`"webhook_event":${raw}`);
    expect(JSON.parse(sent.body)).toMatchObject({ webhook_id: fake.webhookId, auth_algo: "SHA256withRSA", transmission_id: expect.any(String) });
  });

  test("re-serialized JSON would not verify (why the raw text matters)", async () => {
    const reserialized = JSON.stringify(JSON.parse(raw));
    expect(await client().verifyWebhook(reserialized, headersOf(fake.sign(raw)))).toBe(false);
  });

  test("a forged signature, another webhook id, or missing headers do not verify", async () => {
    expect(await client().verifyWebhook(raw, { ...headersOf(fake.sign(raw)), transmissionSig: "forged" })).toBe(false);
    expect(await client().verifyWebhook(raw, headersOf(fake.sign(raw, { webhookId: "OTHER" })))).toBe(false);
    const calls = fake.requests.length;
    expect(await client().verifyWebhook(raw, { transmissionId: "x" })).toBe(false);
    expect(fake.requests.length).toBe(calls); // nothing to ask PayPal about
  });
});

function headersOf(h: Record<string, string>) {
  return {
    authAlgo: h["paypal-auth-algo"],
    certUrl: h["paypal-cert-url"],
    transmissionId: h["paypal-transmission-id"],
    transmissionSig: h["paypal-transmission-sig"],
    transmissionTime: h["paypal-transmission-time"],
  };
}
