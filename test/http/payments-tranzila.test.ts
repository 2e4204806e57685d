/**
 * Tranzila end to end over HTTP: handshake + hosted page link, the unsigned notify trusted only after the signed
 * report re-query matches (terminal, amount, currency, reference), replays and parallel copies credited once,
 * mismatches and unknown references kept for review, the report failing → 502 with the payment kept for review.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { FakeTranzila } from "../fakes/tranzila.ts";
import { startPaymentsRig, type PaymentsRig } from "../support/payments-rig.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let fake: FakeTranzila;
let rig: PaymentsRig;
const BASE = "https://biz.example";
let nextIndex = 1000;

beforeAll(async () => {
  fake = new FakeTranzila().start();
  rig = await startPaymentsRig(
    { TRANZILA_TERMINAL: fake.terminal, TRANZILA_APP_KEY: fake.appKey, TRANZILA_SECRET: fake.secret, TRANZILA_API_URL: fake.url, PUBLIC_BASE_URL: BASE },
    { timeoutMs: 300 },
  );
});
afterEach(() => expect(fake.takeViolations()).toEqual([]));
afterAll(() => {
  rig.stop();
  fake.stop();
});

type View = { id: number; status: string; url: string; reference: string; providerRef: string; providerTxn: string | null; events: Array<{ kind: string; toStatus: string; review: boolean; externalId: string | null; data: Record<string, unknown> }> };

async function create(amount = 15000, currency = "ILS"): Promise<View> {
  const res = await rig.api("/api/crm/payments", { method: "POST", json: { amount, currency, description: "שיעור פרטי", provider: "tranzila" } });
  expect(res.status).toBe(201);
  return (await res.json()) as View;
}
const show = async (id: number) => (await (await rig.api(`/api/crm/payments/${id}`)).json()) as View;

/** Tranzila's notify: a form POST with no signature. */
function notify(fields: Record<string, string>) {
  return fetch(`${rig.url}/api/crm/payments/tranzila/notify`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
}
const notifyFor = (p: View, index: string, extra: Record<string, string> = {}) =>
  notify({ Response: "000", index, sum: "150", currency: "1", ConfirmationCode: "0123456", supplier: fake.terminal, al_ref: p.reference, ccno: "4580", expmonth: "12", ...extra });
const outcome = async (res: Response) => ((await res.json()) as { outcome: string }).outcome;

describe("link", () => {
  test("201 with the hosted page: handshake for the amount, our reference, notify and return URLs from PUBLIC_BASE_URL", async () => {
    const p = await create(15050);
    const url = new URL(p.url);
    expect(url.origin + url.pathname).toBe(`https://direct.tranzila.com/${fake.terminal}/iframenew.php`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      sum: "150.5",
      currency: "1",
      tranmode: "A",
      thtk: p.providerRef,
      al_ref: p.reference,
      notify_url_address: `${BASE}/api/crm/payments/tranzila/notify`,
      success_url_address: `${BASE}/api/crm/payments/tranzila/return?ref=${p.reference}&result=success`,
    });
    expect(fake.handshakes.at(-1)).toMatchObject({ sum: 150.5, thtk: p.providerRef, request_params: { al_ref: p.reference } });
    expect(fake.requests.every((r) => r.authOk)).toBe(true);
    expect(p.status).toBe("pending");
  });

  test("handshake failing (a 5xx, a timeout) → 502 and the row failed without a link", async () => {
    fake.failNext("/v2/handshake", "500");
    const res = await rig.api("/api/crm/payments", { method: "POST", json: { amount: 100, currency: "ILS", description: "x", provider: "tranzila" } });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^tranzila: POST \/v2\/handshake\/create answered 502/);
    expect(rig.db.$client.query("SELECT status, url, provider_ref FROM payments ORDER BY id DESC LIMIT 1").get()).toEqual({ status: "failed", url: null, provider_ref: null });
    fake.failNext("/v2/handshake", "hang");
    const slow = await rig.api("/api/crm/payments", { method: "POST", json: { amount: 100, currency: "ILS", description: "x", provider: "tranzila" } });
    expect(slow.status).toBe(502);
    expect(rig.db.$client.query("SELECT status, url FROM payments ORDER BY id DESC LIMIT 1").get()).toEqual({ status: "failed", url: null });
  });
});

describe("notify", () => {
  test("verified against the report → paid; card fields are not stored", async () => {
    const p = await create();
    const index = String(++nextIndex);
    fake.addTransaction({ index, amount: "15000", reference: p.reference });
    const res = await notifyFor(p, index);
    expect(res.status).toBe(200);
    expect(await outcome(res)).toBe("paid");
    const after = await show(p.id);
    expect(after).toMatchObject({ status: "paid", providerTxn: index });
    const ev = after.events.find((e) => e.kind === "notify")!;
    expect(ev.externalId).toBe(index);
    expect(JSON.stringify(ev.data)).not.toContain("4580");
    expect(JSON.stringify(ev.data)).not.toContain("expmonth");
    expect(rig.live.filter((e) => e.data.id === p.id && e.data.status === "paid")).toHaveLength(1);
  });

  test("a notify posted as multipart form data or JSON is read the same way", async () => {
    for (const encode of ["multipart", "json"] as const) {
      const p = await create();
      const index = String(++nextIndex);
      fake.addTransaction({ index, amount: "15000", reference: p.reference });
      const fields = { Response: "000", index, sum: "150", currency: "1", al_ref: p.reference };
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      const res =
        encode === "multipart"
          ? await fetch(`${rig.url}/api/crm/payments/tranzila/notify`, { method: "POST", body: form })
          : await fetch(`${rig.url}/api/crm/payments/tranzila/notify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fields) });
      expect(await outcome(res)).toBe("paid");
    }
  });

  test("replayed and parallel copies of one notify credit once and ask Tranzila once", async () => {
    const p = await create();
    const index = String(++nextIndex);
    fake.addTransaction({ index, amount: "15000", reference: p.reference });
    const reports = fake.reportCalls;
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => notifyFor(p, index).then(outcome)));
    expect(outcomes.filter((o) => o === "paid")).toHaveLength(outcomes.filter((o) => o !== "replay").length);
    expect(outcomes).toContain("paid");
    expect(await outcome(await notifyFor(p, index))).toBe("replay");
    expect(fake.reportCalls - reports).toBe(1);
    const after = await show(p.id);
    expect(after.events.filter((e) => e.kind === "notify")).toHaveLength(1);
    expect(rig.count("audit_log", `action = 'payment.status' AND target = 'payment:${p.id}' AND details LIKE '%"to":"paid"%'`)).toBe(1);
  });

  test("amount or currency in the report differs → review, never paid (whatever the notify claims)", async () => {
    const short = await create();
    const i1 = String(++nextIndex);
    fake.addTransaction({ index: i1, amount: "100", reference: short.reference });
    expect(await outcome(await notifyFor(short, i1, { sum: "150" }))).toBe("review");
    const s1 = await show(short.id);
    expect(s1.status).toBe("review");
    expect(s1.events.at(-1)).toMatchObject({ kind: "notify_review", review: true });
    expect(String(s1.events.at(-1)!.data.reasons)).toContain("amount is 100");

    const dollars = await create();
    const i2 = String(++nextIndex);
    fake.addTransaction({ index: i2, amount: "15000", currency: "2", reference: dollars.reference });
    expect(await outcome(await notifyFor(dollars, i2))).toBe("review");
    expect((await show(dollars.id)).status).toBe("review");
  });

  test("someone else's transaction (another reference) or one without any reference → review", async () => {
    const a = await create();
    const b = await create();
    const i = String(++nextIndex);
    fake.addTransaction({ index: i, amount: "15000", reference: a.reference });
    expect(await outcome(await notifyFor(b, i))).toBe("review");
    expect((await show(b.id)).status).toBe("review");
    // the genuine notify for that transaction still pays its own payment
    expect(await outcome(await notifyFor(a, i))).toBe("paid");

    const c = await create();
    const j = String(++nextIndex);
    fake.addTransaction({ index: j, amount: "15000" });
    expect(await outcome(await notifyFor(c, j))).toBe("review");
    expect(String((await show(c.id)).events.at(-1)!.data.reasons)).toContain("carries no reference");
  });

  test("a payment in review is paid once a notify verifies", async () => {
    const p = await create();
    const bogus = String(++nextIndex);
    fake.addTransaction({ index: bogus, amount: "1", reference: p.reference });
    expect(await outcome(await notifyFor(p, bogus))).toBe("review");
    const real = String(++nextIndex);
    fake.addTransaction({ index: real, amount: "15000", reference: p.reference });
    expect(await outcome(await notifyFor(p, real))).toBe("paid");
    expect((await show(p.id)).status).toBe("paid");
  });

  test("an unknown reference or none is kept for review with no payment; a forged index Tranzila does not have is never paid", async () => {
    const before = rig.count("payment_events", "payment_id IS NULL AND provider = 'tranzila'");
    expect(await outcome(await notify({ Response: "000", index: String(++nextIndex), sum: "150", al_ref: "al_ffffffffffffffffffffffff" }))).toBe("unknown");
    expect(await outcome(await notify({ Response: "000", index: String(++nextIndex), sum: "150" }))).toBe("unknown");
    expect(rig.count("payment_events", "payment_id IS NULL AND provider = 'tranzila' AND review = 1")).toBe(before + 2);

    const p = await create();
    expect(await outcome(await notifyFor(p, "99999999"))).toBe("unverified");
    const after = await show(p.id);
    expect(after.status).toBe("pending");
    expect(after.events.at(-1)).toMatchObject({ kind: "notify_unverified", review: true, externalId: "99999999:unverified" });
  });

  test("a forged notify (an index Tranzila does not have) leaves the payment as it was, in any state, and is recorded once per index", async () => {
    const p = await create();
    const forged = String(++nextIndex);
    const before = rig.count("payment_events", `payment_id = ${p.id}`);
    const copies = await Promise.all(Array.from({ length: 4 }, () => notifyFor(p, forged).then(outcome)));
    expect(copies.every((o) => o === "unverified")).toBe(true);
    expect(await outcome(await notifyFor(p, forged))).toBe("unverified");
    expect(rig.count("payment_events", `payment_id = ${p.id}`)).toBe(before + 1);
    expect(rig.count("payment_events", `payment_id = ${p.id} AND kind = 'notify_unverified' AND external_id = '${forged}:unverified'`)).toBe(1);
    expect((await show(p.id)).status).toBe("pending");
    expect(rig.live.filter((e) => e.data.id === p.id && e.data.status === "review")).toHaveLength(0);
    // an expired link stays expired, a paid one paid
    rig.clock.now += 25 * 60 * 60_000;
    try {
      expect((await show(p.id)).status).toBe("expired");
      expect(await outcome(await notifyFor(p, String(++nextIndex)))).toBe("unverified");
      expect((await show(p.id)).status).toBe("expired");
    } finally {
      rig.clock.now -= 25 * 60 * 60_000;
    }
    const paid = await create();
    const real = String(++nextIndex);
    fake.addTransaction({ index: real, amount: "15000", reference: paid.reference });
    expect(await outcome(await notifyFor(paid, real))).toBe("paid");
    expect(await outcome(await notifyFor(paid, String(++nextIndex)))).toBe("unverified");
    expect((await show(paid.id)).status).toBe("paid");
  });

  test("a declined attempt is recorded and the link stays payable", async () => {
    const p = await create();
    expect(await outcome(await notifyFor(p, String(++nextIndex), { Response: "004" }))).toBe("declined");
    const after = await show(p.id);
    expect(after.status).toBe("pending");
    expect(after.events.at(-1)).toMatchObject({ kind: "declined" });
  });

  test("the report failing → 502 and the payment kept for review; Tranzila's next try verifies and pays", async () => {
    const p = await create();
    const index = String(++nextIndex);
    fake.addTransaction({ index, amount: "15000", reference: p.reference });
    fake.failNext("/v1/transaction", "500");
    const res = await notifyFor(p, index);
    expect(res.status).toBe(502);
    expect((await show(p.id)).status).toBe("review");
    fake.failNext("/v1/transaction", "hang");
    expect((await notifyFor(p, index)).status).toBe(502);
    // each unverifiable copy of one notify is one row, not one per try
    expect(rig.count("payment_events", `payment_id = ${p.id} AND kind = 'notify_unverified'`)).toBe(1);
    expect(await outcome(await notifyFor(p, index))).toBe("paid");
  });

  test("a notify without a transaction index → 422 naming index, nothing stored", async () => {
    const before = rig.count("payment_events");
    const res = await notify({ Response: "000", sum: "150" });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe("index");
    expect(rig.count("payment_events")).toBe(before);
  });

  test("the buyer's return runs the same check (a second chance if the notify got lost) and shows the result", async () => {
    const p = await create();
    const index = String(++nextIndex);
    fake.addTransaction({ index, amount: "15000", reference: p.reference });
    const res = await fetch(`${rig.url}/api/crm/payments/tranzila/return?ref=${p.reference}&result=success`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: "al_session=whatever" },
      body: new URLSearchParams({ Response: "000", index, sum: "150", al_ref: p.reference }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("התשלום התקבל");
    expect((await show(p.id)).status).toBe("paid");
    const fail = await create();
    const page = await fetch(`${rig.url}/api/crm/payments/tranzila/return?ref=${fail.reference}&result=fail`);
    expect(await page.text()).toContain("התשלום לא הצליח");
    expect((await show(fail.id)).status).toBe("pending");
  });
});
