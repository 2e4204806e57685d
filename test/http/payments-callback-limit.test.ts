/**
 * The provider callbacks anyone can post — Tranzila's unsigned notify (and the buyer's return that carries one) and
 * PayPal's webhook — under a flood: each address gets a budget of requests that do not prove genuine, counted
 * before they run (so a parallel flood is held exactly), answered 429 with Retry-After beyond it without asking the
 * provider; genuine callbacks give their count back; other addresses (X-Forwarded-For through TRUST_PROXY_HOPS=1)
 * are not affected.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { CALLBACK_UNPROVEN_MAX } from "../../src/http/callback-limit.ts";
import { FakePayPal } from "../fakes/paypal.ts";
import { FakeTranzila } from "../fakes/tranzila.ts";
import { startPaymentsRig, type PaymentsRig } from "../support/payments-rig.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let tranzila: FakeTranzila;
let paypal: FakePayPal;
let rig: PaymentsRig;
let nextIndex = 50_000;

beforeAll(async () => {
  tranzila = new FakeTranzila().start();
  paypal = new FakePayPal().start();
  rig = await startPaymentsRig({
    TRANZILA_TERMINAL: tranzila.terminal,
    TRANZILA_APP_KEY: tranzila.appKey,
    TRANZILA_SECRET: tranzila.secret,
    TRANZILA_API_URL: tranzila.url,
    PAYPAL_CLIENT_ID: paypal.clientId,
    PAYPAL_CLIENT_SECRET: paypal.clientSecret,
    PAYPAL_WEBHOOK_ID: paypal.webhookId,
    PAYPAL_API_URL: paypal.url,
    PUBLIC_BASE_URL: "https://biz.example",
    TRUST_PROXY_HOPS: "1",
  });
});
afterEach(() => {
  expect(tranzila.takeViolations()).toEqual([]);
  expect(paypal.takeViolations()).toEqual([]);
});
afterAll(() => {
  rig.stop();
  tranzila.stop();
  paypal.stop();
});

async function create(provider: "tranzila" | "paypal") {
  const res = await rig.api("/api/crm/payments", { method: "POST", json: { amount: 15000, currency: "ILS", description: "x", provider } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: number; reference: string; providerRef: string };
}
const status = async (id: number) => ((await (await rig.api(`/api/crm/payments/${id}`)).json()) as { status: string }).status;

function notify(from: string, reference: string, index: string) {
  return fetch(`${rig.url}/api/crm/payments/tranzila/notify`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": from },
    body: new URLSearchParams({ Response: "000", index, sum: "150", currency: "1", al_ref: reference }),
  });
}

function webhook(from: string, event: Record<string, unknown>, forged: boolean) {
  const raw = JSON.stringify(event);
  const headers: Record<string, string> = { ...paypal.sign(raw), "x-forwarded-for": from };
  if (forged) headers["paypal-transmission-sig"] = "AAAA";
  return fetch(`${rig.url}/api/crm/payments/paypal/webhook`, { method: "POST", headers, body: raw });
}
const verifyCalls = () => paypal.requests.filter((r) => r.path === "/v1/notifications/verify-webhook-signature").length;

describe("Tranzila notify", () => {
  test("a parallel flood of forged notifies from one address: exactly the budget reaches Tranzila, the rest 429, the payment untouched", async () => {
    const p = await create("tranzila");
    const reports = tranzila.reportCalls;
    const rows = rig.count("payment_events");
    const flood = await Promise.all(Array.from({ length: CALLBACK_UNPROVEN_MAX + 12 }, () => notify("203.0.113.9", p.reference, String(++nextIndex))));
    const codes = flood.map((r) => r.status);
    expect(codes.filter((c) => c === 200)).toHaveLength(CALLBACK_UNPROVEN_MAX);
    expect(codes.filter((c) => c === 429)).toHaveLength(12);
    const limited = flood.find((r) => r.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect(tranzila.reportCalls - reports).toBe(CALLBACK_UNPROVEN_MAX);
    expect(rig.count("payment_events") - rows).toBe(CALLBACK_UNPROVEN_MAX);
    expect(await status(p.id)).toBe("pending");
    expect(rig.logs.some((l) => l.event === "payment.callback_limited" && l.address === "203.0.113.9")).toBe(true);

    // the buyer's return from that address still shows a page, without asking Tranzila
    const page = await fetch(`${rig.url}/api/crm/payments/tranzila/return?ref=${p.reference}&result=success&index=${++nextIndex}&Response=000`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(page.status).toBe(200);
    expect(tranzila.reportCalls - reports).toBe(CALLBACK_UNPROVEN_MAX);

    // another address is not held back: its genuine notify pays
    const index = String(++nextIndex);
    tranzila.addTransaction({ index, amount: "15000", reference: p.reference });
    const ok = await notify("198.51.100.4", p.reference, index);
    expect(((await ok.json()) as { outcome: string }).outcome).toBe("paid");
  });

  test("genuine notifies give their count back: an address that mostly sends real ones is never held back", async () => {
    const from = "198.51.100.77";
    const victim = await create("tranzila");
    for (let i = 0; i < CALLBACK_UNPROVEN_MAX - 1; i++) expect((await notify(from, victim.reference, String(++nextIndex))).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const p = await create("tranzila");
      const index = String(++nextIndex);
      tranzila.addTransaction({ index, amount: "15000", reference: p.reference });
      const res = await notify(from, p.reference, index);
      expect(((await res.json()) as { outcome: string }).outcome).toBe("paid");
      // a replay of a verified notify is genuine too
      expect((await notify(from, p.reference, index)).status).toBe(200);
    }
    expect((await notify(from, victim.reference, String(++nextIndex))).status).toBe(200);
    expect((await notify(from, victim.reference, String(++nextIndex))).status).toBe(429);
  });
});

describe("PayPal webhook", () => {
  test("a parallel flood of forged webhooks from one address: exactly the budget is verified with PayPal (403), the rest 429", async () => {
    const p = await create("paypal");
    const event = () => ({ id: `WH-${crypto.randomUUID()}`, event_type: "PAYMENT.CAPTURE.COMPLETED", resource: { id: "CAPX", status: "COMPLETED", amount: { currency_code: "ILS", value: "150.00" }, custom_id: p.reference } });
    const before = verifyCalls();
    const flood = await Promise.all(Array.from({ length: CALLBACK_UNPROVEN_MAX + 8 }, () => webhook("203.0.113.20", event(), true)));
    const codes = flood.map((r) => r.status);
    expect(codes.filter((c) => c === 403)).toHaveLength(CALLBACK_UNPROVEN_MAX);
    expect(codes.filter((c) => c === 429)).toHaveLength(8);
    expect(verifyCalls() - before).toBe(CALLBACK_UNPROVEN_MAX);
    expect(await status(p.id)).toBe("pending");

    // PayPal's own delivery from another address is verified and acted on
    const real = await webhook("173.0.80.1", event(), false);
    expect(real.status).toBe(200);
    expect(await status(p.id)).toBe("paid");
    // verified deliveries do not use the budget
    for (let i = 0; i < CALLBACK_UNPROVEN_MAX + 3; i++) expect((await webhook("173.0.80.1", { ...event(), event_type: "PAYMENT.CAPTURE.PENDING" }, false)).status).toBe(200);
  });
});
