/**
 * The payments API as a table of scenarios (PocketBase style) plus the behaviours around it: unconfigured providers
 * answer 501 naming their variables, Stripe answers 410, bad input is a 4xx naming the field, agents see only their
 * own contacts' payments, list filters and paging, and lazy expiry.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq } from "drizzle-orm";
import { contacts } from "../../src/db/schema.ts";
import { FakePayPal } from "../fakes/paypal.ts";
import { FakeTranzila } from "../fakes/tranzila.ts";
import { runScenarios } from "../support/scenario.ts";
import { startPaymentsRig, type PaymentsRig } from "../support/payments-rig.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

describe("nothing configured", () => {
  let rig: PaymentsRig;
  beforeAll(async () => {
    rig = await startPaymentsRig();
  });
  afterAll(() => rig.stop());
  const owner = () => ({ authorization: `Bearer ${rig.ownerToken}` });
  const create = (provider: string) => ({ amount: 15000, currency: "ILS", description: "x", provider });

  runScenarios(() => rig.url, [
    { name: "create a PayPal link → 501 naming the variables", method: "POST", url: "/api/crm/payments", headers: owner, body: create("paypal"), expectedStatus: 501, expectedContent: ['"code":"not_configured"', "PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET", '"field":"provider"'] },
    { name: "create a Tranzila link → 501 naming the variables", method: "POST", url: "/api/crm/payments", headers: owner, body: create("tranzila"), expectedStatus: 501, expectedContent: ["TRANZILA_TERMINAL", "TRANZILA_APP_KEY", "TRANZILA_SECRET"] },
    { name: "PayPal webhook (no session) → 501", method: "POST", url: "/api/crm/payments/paypal/webhook", body: { id: "WH-1", event_type: "X", resource: {} }, expectedStatus: 501, expectedContent: ["PAYPAL_CLIENT_ID"] },
    { name: "Tranzila notify (no session) → 501", method: "POST", url: "/api/crm/payments/tranzila/notify", rawBody: "Response=000&index=1", headers: { "content-type": "application/x-www-form-urlencoded" }, expectedStatus: 501, expectedContent: ["TRANZILA_TERMINAL"] },
    { name: "Stripe webhook → 410 without a session", method: "POST", url: "/api/crm/payments/stripe/webhook", rawBody: "{}", expectedStatus: 410, expectedContent: ['"code":"gone"', "Stripe payments are retired"] },
    { name: "GET /stripe → 410", url: "/api/crm/payments/stripe", expectedStatus: 410, expectedContent: ['"code":"gone"'] },
    { name: "anything Stripe-prefixed → 410", method: "PUT", url: "/api/crm/payments/stripe-checkout/session/1", expectedStatus: 410 },
    { name: "create with provider stripe → 410 naming the field", method: "POST", url: "/api/crm/payments", headers: owner, body: create("Stripe"), expectedStatus: 410, expectedContent: ['"field":"provider"'] },
    { name: "list without a session → 401", url: "/api/crm/payments", expectedStatus: 401 },
    { name: "create without a session → 401", method: "POST", url: "/api/crm/payments", body: create("paypal"), expectedStatus: 401 },
    { name: "show without a session → 401", url: "/api/crm/payments/1", expectedStatus: 401 },
    { name: "amount with a fraction → 422", method: "POST", url: "/api/crm/payments", headers: owner, body: { ...create("paypal"), amount: 150.5 }, expectedStatus: 422, expectedContent: ['"field":"amount"', "integer number of minor units"] },
    { name: "amount as a string → 422", method: "POST", url: "/api/crm/payments", headers: owner, body: { ...create("paypal"), amount: "15000" }, expectedStatus: 422, expectedContent: ['"field":"amount"'] },
    { name: "amount zero → 422", method: "POST", url: "/api/crm/payments", headers: owner, body: { ...create("paypal"), amount: 0 }, expectedStatus: 422, expectedContent: ['"field":"amount"'] },
    { name: "amount beyond the cap → 422", method: "POST", url: "/api/crm/payments", headers: owner, body: { ...create("paypal"), amount: 1e12 }, expectedStatus: 422, expectedContent: ['"field":"amount"'] },
    { name: "currency EUR → 422", method: "POST", url: "/api/crm/payments", headers: owner, body: { ...create("paypal"), currency: "EUR" }, expectedStatus: 422, expectedContent: ['"field":"currency"', "ILS, USD"] },
    { name: "no description → 422", method: "POST", url: "/api/crm/payments", headers: owner, body: { amount: 1, currency: "ILS", provider: "paypal" }, expectedStatus: 422, expectedContent: ['"field":"description"'] },
    { name: "unknown provider → 422", method: "POST", url: "/api/crm/payments", headers: owner, body: create("bitcoin"), expectedStatus: 422, expectedContent: ['"field":"provider"'] },
    { name: "malformed JSON → 400", method: "POST", url: "/api/crm/payments", headers: () => ({ ...owner(), "content-type": "application/json" }), rawBody: "{amount:", expectedStatus: 400, expectedContent: ['"code":"bad_json"'] },
    { name: "bad status filter → 422", url: "/api/crm/payments?status=won", headers: owner, expectedStatus: 422, expectedContent: ['"field":"status"'] },
    { name: "show a missing payment → 404", url: "/api/crm/payments/999", headers: owner, expectedStatus: 404 },
    { name: "show with a non-numeric id → 422", url: "/api/crm/payments/abc", headers: owner, expectedStatus: 422 },
    { name: "return page with a malformed reference → 404 page", url: "/api/crm/payments/paypal/return?ref=<script>", expectedStatus: 404, notExpectedContent: ["<script>"] },
  ]);
});

describe("configured", () => {
  let rig: PaymentsRig;
  let paypal: FakePayPal;
  let tranzila: FakeTranzila;
  let mine = 0;
  let theirs = 0;
  beforeAll(async () => {
    paypal = new FakePayPal().start();
    tranzila = new FakeTranzila().start();
    rig = await startPaymentsRig({
      PAYPAL_CLIENT_ID: paypal.clientId,
      PAYPAL_CLIENT_SECRET: paypal.clientSecret,
      PAYPAL_API_URL: paypal.url,
      TRANZILA_TERMINAL: tranzila.terminal,
      TRANZILA_APP_KEY: tranzila.appKey,
      TRANZILA_SECRET: tranzila.secret,
      TRANZILA_API_URL: tranzila.url,
    });
    mine = rig.services.contacts.findOrCreateByPhone("0501111111", "manual").id;
    theirs = rig.services.contacts.findOrCreateByPhone("0502222222", "manual").id;
    rig.db.update(contacts).set({ ownerId: rig.agentId }).where(eq(contacts.id, mine)).run();
  });
  afterEach(() => {
    expect(paypal.takeViolations()).toEqual([]);
    expect(tranzila.takeViolations()).toEqual([]);
  });
  afterAll(() => {
    rig.stop();
    paypal.stop();
    tranzila.stop();
  });
  const link = async (body: Record<string, unknown>, token?: string) =>
    rig.api("/api/crm/payments", { method: "POST", token, json: { amount: 5000, currency: "USD", description: "d", provider: "paypal", ...body } });

  test("without PUBLIC_BASE_URL, Tranzila says what it needs; PayPal returns buyers to the address the request used", async () => {
    const tz = await link({ provider: "tranzila" });
    expect(tz.status).toBe(501);
    expect(((await tz.json()) as { error: { message: string } }).error.message).toContain("PUBLIC_BASE_URL");
    const pp = await link({}, undefined);
    expect(pp.status).toBe(201);
    const order = [...paypal.orders.values()].at(-1)!;
    expect((order.body.payment_source as { paypal: { experience_context: { return_url: string } } }).paypal.experience_context.return_url).toStartWith(`${rig.url}/api/crm/payments/paypal/return?ref=al_`);
  });

  test("PAYPAL_WEBHOOK_ID unset: links work, the webhook answers 501 naming it", async () => {
    const raw = JSON.stringify({ id: "WH-x", event_type: "CHECKOUT.ORDER.APPROVED", resource: { id: "O" } });
    const res = await fetch(`${rig.url}/api/crm/payments/paypal/webhook`, { method: "POST", headers: paypal.sign(raw), body: raw });
    expect(res.status).toBe(501);
    expect(await res.text()).toContain("PAYPAL_WEBHOOK_ID");
  });

  test("agents create and see payments only for contacts they own; others get 404 as if nothing were there", async () => {
    const own = await link({ contactId: mine }, rig.agentToken);
    expect(own.status).toBe(201);
    const ownId = ((await own.json()) as { id: number }).id;
    const foreign = await link({ contactId: theirs }, rig.agentToken);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { field: string } }).error.field).toBe("contactId");
    const none = await link({}, rig.agentToken);
    expect(none.status).toBe(403);
    const ownerMade = ((await (await link({ contactId: theirs })).json()) as { id: number }).id;

    expect((await rig.api(`/api/crm/payments/${ownId}`, { token: rig.agentToken })).status).toBe(200);
    expect((await rig.api(`/api/crm/payments/${ownerMade}`, { token: rig.agentToken })).status).toBe(404);
    expect((await rig.api(`/api/crm/payments/${ownId}`, { token: rig.otherAgentToken })).status).toBe(404);
    const agentList = (await (await rig.api("/api/crm/payments", { token: rig.agentToken })).json()) as { items: Array<{ id: number; contactId: number }>; total: number };
    expect(agentList.items.map((p) => p.id)).toEqual([ownId]);
    expect(agentList.total).toBe(1);
    const ownerList = (await (await rig.api("/api/crm/payments?limit=200")).json()) as { items: Array<{ id: number }> };
    expect(ownerList.items.map((p) => p.id)).toContain(ownerMade);
    expect(((await (await rig.api("/api/crm/payments", { token: rig.otherAgentToken })).json()) as { total: number }).total).toBe(0);
    // an unknown contact is a 404 for the owner too
    expect((await link({ contactId: 99999 })).status).toBe(404);
  });

  test("list filters by status, contact and date, pages with {items,total,page,limit}; show has the history", async () => {
    for (let i = 0; i < 3; i++) expect((await link({ contactId: theirs, amount: 100 + i })).status).toBe(201);
    const byContact = (await (await rig.api(`/api/crm/payments?contactId=${theirs}&limit=2&page=1`)).json()) as { items: Array<{ contactId: number; amount: number }>; total: number; page: number; limit: number };
    expect(byContact).toMatchObject({ page: 1, limit: 2 });
    expect(byContact.items).toHaveLength(2);
    expect(byContact.total).toBeGreaterThanOrEqual(4);
    expect(byContact.items.every((p) => p.contactId === theirs)).toBe(true);
    expect(byContact.items[0]!.amount).toBe(102); // newest first
    const page2 = (await (await rig.api(`/api/crm/payments?contactId=${theirs}&limit=2&page=2`)).json()) as { items: unknown[] };
    expect(page2.items.length).toBeGreaterThan(0);

    const pending = (await (await rig.api("/api/crm/payments?status=pending&limit=200")).json()) as { items: Array<{ status: string }>; total: number };
    expect(pending.items.every((p) => p.status === "pending")).toBe(true);
    const paidNone = (await (await rig.api("/api/crm/payments?status=paid")).json()) as { total: number };
    expect(paidNone.total).toBe(0);
    const future = (await (await rig.api(`/api/crm/payments?from=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`)).json()) as { total: number };
    expect(future.total).toBe(0);
    const today = (await (await rig.api(`/api/crm/payments?from=${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}`)).json()) as { total: number };
    expect(today.total).toBeGreaterThan(0);

    const one = (await (await rig.api(`/api/crm/payments/${((await (await link({ amount: 777 })).json()) as { id: number }).id}`)).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ status: "pending", amount: 777, amountDecimal: "7.77", currency: "USD", provider: "paypal", providerRef: expect.any(String), events: [{ kind: "created" }, { kind: "link" }] });
    expect(one.url).toStartWith("https://www.sandbox.paypal.com/");
  });

  test("links expire lazily after the provider's lifetime; expiry is audited and published live", async () => {
    const made = (await (await link({ amount: 4242 })).json()) as { id: number; expiresAt: string; createdAt: string };
    expect(new Date(made.expiresAt).getTime() - new Date(made.createdAt).getTime()).toBe(3 * 3600_000);
    rig.clock.now += 3 * 3600_000 - 60_000;
    expect(((await (await rig.api(`/api/crm/payments/${made.id}`)).json()) as { status: string }).status).toBe("pending");
    rig.clock.now += 2 * 60_000;
    const list = (await (await rig.api("/api/crm/payments?status=expired&limit=200")).json()) as { items: Array<{ id: number }> };
    expect(list.items.map((p) => p.id)).toContain(made.id);
    expect(rig.live.some((e) => e.type === "payment.updated" && e.data.id === made.id && e.data.status === "expired")).toBe(true);
    expect(rig.count("audit_log", `action = 'payment.status' AND target = 'payment:${made.id}' AND details LIKE '%"to":"expired"%'`)).toBe(1);
    rig.clock.now = Date.now();
  });
});
