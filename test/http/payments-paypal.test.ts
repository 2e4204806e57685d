/**
 * PayPal end to end over HTTP: link creation, capture on return and on the APPROVED webhook exactly once when both
 * arrive together, verified / forged / replayed webhooks, mismatches and unknown orders kept for review, and
 * provider failures answered 502 with nothing half-written. PayPal is a real HTTP stand-in on loopback.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { FakePayPal } from "../fakes/paypal.ts";
import { startPaymentsRig, type PaymentsRig } from "../support/payments-rig.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let fake: FakePayPal;
let rig: PaymentsRig;
const BASE = "https://biz.example";

beforeAll(async () => {
  fake = new FakePayPal().start();
  rig = await startPaymentsRig(
    { PAYPAL_CLIENT_ID: fake.clientId, PAYPAL_CLIENT_SECRET: fake.clientSecret, PAYPAL_WEBHOOK_ID: fake.webhookId, PAYPAL_API_URL: fake.url, PUBLIC_BASE_URL: BASE },
    { timeoutMs: 300 },
  );
});
afterAll(() => {
  rig.stop();
  fake.stop();
});
afterEach(() => expect(fake.takeViolations()).toEqual([]));
beforeEach(() => {
  fake.captureDelayMs = 0;
  fake.captureAmountOverride = undefined;
});

type View = { id: number; status: string; url: string; reference: string; providerRef: string; providerTxn: string | null; events: Array<{ kind: string; toStatus: string; fromStatus: string; review: boolean; externalId: string | null }> };

async function create(amount = 15000, currency = "ILS"): Promise<View> {
  const res = await rig.api("/api/crm/payments", { method: "POST", json: { amount, currency, description: "ייעוץ ראשוני", provider: "paypal" } });
  expect(res.status).toBe(201);
  return (await res.json()) as View;
}
const show = async (id: number) => (await (await rig.api(`/api/crm/payments/${id}`)).json()) as View;

function webhook(event: Record<string, unknown>, opts: { raw?: string; headers?: Record<string, string> } = {}) {
  // formatted the way PayPal might send it (spacing JSON.stringify would not reproduce)
  const raw = opts.raw ?? JSON.stringify(event, null, 1);
  return fetch(`${rig.url}/api/crm/payments/paypal/webhook`, { method: "POST", headers: opts.headers ?? fake.sign(raw), body: raw });
}
const approvedEvent = (orderId: string, reference: string) => ({
  id: `WH-${crypto.randomUUID()}`,
  event_type: "CHECKOUT.ORDER.APPROVED",
  resource_type: "checkout-order",
  resource: { id: orderId, status: "APPROVED", intent: "CAPTURE", purchase_units: [{ custom_id: reference, amount: { currency_code: "ILS", value: "150.00" } }] },
});
const captureEvent = (type: string, p: View, captureId: string, amount = { currency_code: "ILS", value: "150.00" }) => ({
  id: `WH-${crypto.randomUUID()}`,
  event_type: type,
  resource: { id: captureId, status: type.split(".").pop(), amount, custom_id: p.reference, supplementary_data: { related_ids: { order_id: p.providerRef } } },
});

describe("link creation", () => {
  test("201 with the payer-action link; the order carries our reference, the decimal amount and the return URLs", async () => {
    const p = await create(15050);
    expect(p).toMatchObject({ status: "pending", url: expect.stringContaining("https://www.sandbox.paypal.com/checkoutnow?token=") });
    const order = fake.orders.get(p.providerRef)!;
    expect(order.requestId).toBe(`${p.reference}-order`);
    expect(order.body.purchase_units[0]).toMatchObject({ custom_id: p.reference, amount: { currency_code: "ILS", value: "150.50" }, description: "ייעוץ ראשוני" });
    expect(order.body.payment_source).toMatchObject({
      paypal: { experience_context: { return_url: `${BASE}/api/crm/payments/paypal/return?ref=${p.reference}`, cancel_url: `${BASE}/api/crm/payments/paypal/cancel?ref=${p.reference}`, locale: "he-IL" } },
    });
    expect((await show(p.id)).events.map((e) => `${e.kind}:${e.toStatus}`)).toEqual(["created:created", "link:pending"]);
    expect(fake.violations).toEqual([]);
  });

  test("links created in a row share one cached OAuth token", async () => {
    const before = fake.tokenCalls;
    await Promise.all([create(), create(), create()]);
    expect(fake.tokenCalls).toBe(before);
  });
});

describe("capture exactly once", () => {
  test("return URL and APPROVED webhook (twice) at the same moment: one capture call, paid once", async () => {
    const p = await create();
    fake.approve(p.providerRef);
    fake.captureDelayMs = 150; // keep the first capture in flight while the others arrive
    const captures = fake.captureCalls;
    const liveBefore = rig.live.length;
    const event = approvedEvent(p.providerRef, p.reference);
    const raw = JSON.stringify(event);
    const [ret1, hook1, ret2, hook2] = await Promise.all([
      fetch(`${rig.url}/api/crm/payments/paypal/return?ref=${p.reference}&token=${p.providerRef}&PayerID=PAYER1`),
      webhook(event, { raw }),
      fetch(`${rig.url}/api/crm/payments/paypal/return?ref=${p.reference}&token=${p.providerRef}&PayerID=PAYER1`),
      webhook(event, { raw }),
    ]);
    expect([ret1.status, hook1.status, ret2.status, hook2.status]).toEqual([200, 200, 200, 200]);
    expect(await ret1.text()).toContain("התשלום התקבל");
    expect(fake.captureCalls - captures).toBe(1);
    const after = await show(p.id);
    expect(after.status).toBe("paid");
    expect(after.providerTxn).toMatch(/^3C6790/);
    expect(after.events.filter((e) => e.toStatus === "paid" && e.fromStatus !== "paid")).toHaveLength(1);
    const paidLive = rig.live.slice(liveBefore).filter((e) => e.type === "payment.updated" && e.data.id === p.id && e.data.status === "paid");
    expect(paidLive).toHaveLength(1);
    expect(rig.count("audit_log", `action = 'payment.status' AND target = 'payment:${p.id}' AND details LIKE '%"to":"paid"%'`)).toBe(1);
  });

  test("returning before approving leaves it pending and offers the link again; no capture recorded", async () => {
    const p = await create();
    const res = await fetch(`${rig.url}/api/crm/payments/paypal/return?ref=${p.reference}&token=${p.providerRef}`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain("עדיין לא אושר");
    expect(html).toContain(p.url.replace(/&/g, "&#38;"));
    const after = await show(p.id);
    expect(after.status).toBe("pending");
    expect(after.events.at(-1)).toMatchObject({ kind: "capture_issue" });
  });

  test("a return naming another order's token captures nothing", async () => {
    const p = await create();
    fake.approve(p.providerRef);
    const before = fake.captureCalls;
    await fetch(`${rig.url}/api/crm/payments/paypal/return?ref=${p.reference}&token=SOMEOTHERORDER`);
    expect(fake.captureCalls).toBe(before);
    expect((await show(p.id)).status).toBe("pending");
  });

  test("an unknown reference shows a 404 page", async () => {
    const res = await fetch(`${rig.url}/api/crm/payments/paypal/return?ref=al_000000000000000000000000`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("לא מצאנו");
  });

  test("capture amount different from the payment → review, never paid", async () => {
    const p = await create(15000);
    fake.approve(p.providerRef);
    fake.captureAmountOverride = { currency_code: "ILS", value: "1.50" };
    await fetch(`${rig.url}/api/crm/payments/paypal/return?ref=${p.reference}&token=${p.providerRef}`);
    const after = await show(p.id);
    expect(after.status).toBe("review");
    expect(after.events.at(-1)).toMatchObject({ kind: "capture", review: true });
  });
});

describe("webhooks", () => {
  test("forged signature, re-serialized body, missing or malformed headers → 403 and nothing stored", async () => {
    const p = await create();
    const event = captureEvent("PAYMENT.CAPTURE.COMPLETED", p, "FORGED1");
    const raw = JSON.stringify(event, null, 2);
    const events = rig.count("payment_events");
    const forged = await webhook(event, { raw, headers: { ...fake.sign(raw), "paypal-transmission-sig": "AAAA" } });
    const reserialized = await webhook(event, { raw: JSON.stringify(event), headers: fake.sign(raw) });
    const bare = await webhook(event, { raw, headers: { "content-type": "application/json" } });
    const badCert = await webhook(event, { raw, headers: { ...fake.sign(raw), "paypal-cert-url": "ftp://attacker.example/cert" } });
    for (const res of [forged, reserialized, bare, badCert]) {
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: "forbidden", message: "PayPal webhook signature did not verify" } });
    }
    expect(rig.count("payment_events")).toBe(events);
    expect((await show(p.id)).status).toBe("pending");
  });

  test("CAPTURE.COMPLETED marks paid; the same event replayed changes nothing", async () => {
    const p = await create();
    const event = captureEvent("PAYMENT.CAPTURE.COMPLETED", p, "CAPREPLAY1");
    const raw = JSON.stringify(event);
    const first = await webhook(event, { raw });
    expect(await first.json()).toMatchObject({ ok: true, outcome: "handled" });
    const replays = await Promise.all([webhook(event, { raw }), webhook(event, { raw })]);
    for (const r of replays) expect(((await r.json()) as { outcome: string }).outcome).toBe("replay");
    const after = await show(p.id);
    expect(after).toMatchObject({ status: "paid", providerTxn: "CAPREPLAY1" });
    expect(after.events.filter((e) => e.externalId === event.id)).toHaveLength(1);
  });

  test("CAPTURE.COMPLETED with another amount or currency → review; then REFUNDED of a paid one → refunded", async () => {
    const wrongAmount = await create();
    await webhook(captureEvent("PAYMENT.CAPTURE.COMPLETED", wrongAmount, "CAPAMT", { currency_code: "ILS", value: "15.00" }));
    expect((await show(wrongAmount.id)).status).toBe("review");
    const wrongCurrency = await create();
    await webhook(captureEvent("PAYMENT.CAPTURE.COMPLETED", wrongCurrency, "CAPCUR", { currency_code: "USD", value: "150.00" }));
    expect((await show(wrongCurrency.id)).status).toBe("review");

    const paid = await create();
    await webhook(captureEvent("PAYMENT.CAPTURE.COMPLETED", paid, "CAPREF"));
    const refund = {
      id: `WH-${crypto.randomUUID()}`,
      event_type: "PAYMENT.CAPTURE.REFUNDED",
      resource: { id: "REFUND1", status: "COMPLETED", amount: { currency_code: "ILS", value: "150.00" }, custom_id: paid.reference, links: [{ rel: "up", href: `${fake.url}/v2/payments/captures/CAPREF` }] },
    };
    await webhook(refund);
    expect((await show(paid.id)).status).toBe("refunded");
  });

  test("DENIED marks failed; a second capture id for a paid payment is kept for review, the payment stays paid", async () => {
    const denied = await create();
    await webhook(captureEvent("PAYMENT.CAPTURE.DENIED", denied, "CAPDENIED"));
    expect((await show(denied.id)).status).toBe("failed");

    const p = await create();
    await webhook(captureEvent("PAYMENT.CAPTURE.COMPLETED", p, "CAPONE"));
    await webhook(captureEvent("PAYMENT.CAPTURE.COMPLETED", p, "CAPTWO"));
    const after = await show(p.id);
    expect(after).toMatchObject({ status: "paid", providerTxn: "CAPONE" });
    expect(after.events.at(-1)).toMatchObject({ review: true });
  });

  test("an event for an order we never created is kept for review with no payment, and captures nothing", async () => {
    const before = fake.captureCalls;
    const res = await webhook(approvedEvent("UNKNOWNORDER1", "al_ffffffffffffffffffffffff"));
    expect(await res.json()).toMatchObject({ ok: true, outcome: "review" });
    expect(fake.captureCalls).toBe(before);
    expect(rig.count("payment_events", "payment_id IS NULL AND review = 1 AND provider = 'paypal'")).toBeGreaterThanOrEqual(1);
  });

  test("malformed JSON → 400; PayPal's verify endpoint failing → 502 (PayPal retries the delivery)", async () => {
    const bad = await fetch(`${rig.url}/api/crm/payments/paypal/webhook`, { method: "POST", headers: fake.sign("{nope"), body: "{nope" });
    expect(bad.status).toBe(400);
    const p = await create();
    fake.failNext("/v1/notifications", "500", 2);
    const res = await webhook(captureEvent("PAYMENT.CAPTURE.COMPLETED", p, "CAPDOWN"));
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream");
    expect((await show(p.id)).status).toBe("pending");
  });
});

describe("PayPal failing when a link is created", () => {
  test("5xx twice → 502 naming PayPal; the row is failed with no link", async () => {
    fake.failNext("/v2/checkout/orders", "500", 2);
    const res = await rig.api("/api/crm/payments", { method: "POST", json: { amount: 100, currency: "USD", description: "x", provider: "paypal" } });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("upstream");
    expect(body.error.message).toMatch(/^paypal: POST \/v2\/checkout\/orders answered 500/);
    const row = rig.db.$client.query("SELECT status, url, provider_ref FROM payments ORDER BY id DESC LIMIT 1").get();
    expect(row).toEqual({ status: "failed", url: null, provider_ref: null });
  });

  test("a timeout (twice) → 502 within the deadline; the row is failed with no link", async () => {
    fake.failNext("/v2/checkout/orders", "hang", 2);
    const t0 = performance.now();
    const res = await rig.api("/api/crm/payments", { method: "POST", json: { amount: 100, currency: "USD", description: "x", provider: "paypal" } });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("did not answer within 300 ms");
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(rig.db.$client.query("SELECT status, url FROM payments ORDER BY id DESC LIMIT 1").get()).toEqual({ status: "failed", url: null });
  });

  test("one 5xx is retried with the same idempotency key: 201 and a single order at PayPal", async () => {
    const orders = fake.orders.size;
    fake.failNext("/v2/checkout/orders", "500", 1);
    const res = await rig.api("/api/crm/payments", { method: "POST", json: { amount: 100, currency: "USD", description: "x", provider: "paypal" } });
    expect(res.status).toBe(201);
    expect(fake.orders.size).toBe(orders + 1);
  });
});
