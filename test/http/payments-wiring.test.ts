/** The real server (start() in main.ts) wires payments: env → clients, routes with and without a session. */
import { afterAll, afterEach, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { Running } from "../../src/main.ts";
import { FakePayPal } from "../fakes/paypal.ts";
import { startInProcess } from "../support/server.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let server: Running & { dataDir: string };
let paypal: FakePayPal;
let token = "";

beforeAll(async () => {
  paypal = new FakePayPal().start();
  server = await startInProcess({
    ADMIN_EMAIL: "owner@example.com",
    ADMIN_PASSWORD: "owner-password",
    PAYPAL_CLIENT_ID: paypal.clientId,
    PAYPAL_CLIENT_SECRET: paypal.clientSecret,
    PAYPAL_WEBHOOK_ID: paypal.webhookId,
    PAYPAL_API_URL: paypal.url,
    PUBLIC_BASE_URL: "https://biz.example",
  });
  const res = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }) });
  token = ((await res.json()) as { token: string }).token;
});
afterEach(() => expect(paypal.takeViolations()).toEqual([]));
afterAll(async () => {
  await server.stop(1000);
  paypal.stop();
});

test("a PayPal link through the running server, paid by a verified webhook; Tranzila unset answers 501; Stripe 410", async () => {
  const res = await fetch(`${server.url}/api/crm/payments`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ amount: 2500, currency: "ILS", description: "מקדמה", provider: "paypal" }),
  });
  expect(res.status).toBe(201);
  const p = (await res.json()) as { id: number; reference: string; providerRef: string; url: string; status: string };
  expect(p.status).toBe("pending");
  expect(p.url).toContain(p.providerRef);

  const raw = JSON.stringify({
    id: "WH-wiring-1",
    event_type: "PAYMENT.CAPTURE.COMPLETED",
    resource: { id: "CAPWIRE", status: "COMPLETED", amount: { currency_code: "ILS", value: "25.00" }, custom_id: p.reference, supplementary_data: { related_ids: { order_id: p.providerRef } } },
  });
  const hook = await fetch(`${server.url}/api/crm/payments/paypal/webhook`, { method: "POST", headers: paypal.sign(raw), body: raw });
  expect(hook.status).toBe(200);
  const after = (await (await fetch(`${server.url}/api/crm/payments/${p.id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string };
  expect(after.status).toBe("paid");

  const notify = await fetch(`${server.url}/api/crm/payments/tranzila/notify`, { method: "POST", body: new URLSearchParams({ index: "1", Response: "000" }) });
  expect(notify.status).toBe(501);
  expect((await fetch(`${server.url}/api/crm/payments/stripe/webhook`, { method: "POST" })).status).toBe(410);
});
