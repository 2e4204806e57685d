/** Tranzila's client against a real HTTP stand-in that recomputes the signed headers. */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { ProviderError } from "../../../src/providers/errors.ts";
import { TranzilaClient, tranzilaHeaders, TRANZILA_API, TRANZILA_PAGES } from "../../../src/payments/tranzila.ts";
import { FakeTranzila } from "../../fakes/tranzila.ts";

let fake: FakeTranzila;
const client = (timeoutMs = 2000) => new TranzilaClient({ terminal: fake.terminal, appKey: fake.appKey, secret: fake.secret, apiUrl: fake.url }, { timeoutMs });

beforeAll(() => {
  fake = new FakeTranzila().start();
});
afterAll(() => fake.stop());
afterEach(() => expect(fake.takeViolations()).toEqual([]));

test("the access token is hex HMAC-SHA256 of the app key, keyed by secret + time + nonce", () => {
  const h = tranzilaHeaders("app", "sec", "s", 1_750_000_000_123);
  expect(h["X-tranzila-api-request-time"]).toBe("1750000000");
  expect(h["X-tranzila-api-nonce"]).toMatch(/^[0-9a-f]{80}$/);
  const expected = createHmac("sha256", `sec1750000000${h["X-tranzila-api-nonce"]}`).update("app").digest("hex");
  expect(h["X-tranzila-api-access-token"]).toBe(expected);
  expect(tranzilaHeaders("app", "sec", "ms", 1_750_000_000_123)["X-tranzila-api-request-time"]).toBe("1750000000123");
  // a fresh nonce every time
  expect(tranzilaHeaders("app", "sec", "s")["X-tranzila-api-nonce"]).not.toBe(h["X-tranzila-api-nonce"]);
});

test("handshake: JSON body with terminal, numeric sum and our reference; the stand-in accepts the signature", async () => {
  const thtk = await client().handshake(15050, "ILS", "al_aaaaaaaaaaaaaaaaaaaaaaaa");
  expect(thtk).toMatch(/^thtk\d+fake$/);
  expect(fake.handshakes.at(-1)).toMatchObject({ terminal_name: fake.terminal, sum: 150.5, request_params: { al_ref: "al_aaaaaaaaaaaaaaaaaaaaaaaa" } });
  expect(fake.requests.at(-1)!.authOk).toBe(true);
  expect(fake.violations).toEqual([]);
});

test("handshake answered the v1 way (thtk=… as text) is read too", async () => {
  fake.textHandshake = true;
  try {
    expect(await client().handshake(100, "ILS", "al_bbbbbbbbbbbbbbbbbbbbbbbb")).toMatch(/^thtk\d+fake$/);
  } finally {
    fake.textHandshake = false;
  }
});

test("a terminal Tranzila does not know is a bad_request ProviderError with Tranzila's message", async () => {
  const c = new TranzilaClient({ terminal: "nosuch", appKey: fake.appKey, secret: fake.secret, apiUrl: fake.url });
  const err = await c.handshake(100, "ILS", "al_x").catch((e) => e);
  expect(err).toBeInstanceOf(ProviderError);
  expect(err.message).toContain("terminal not found");
});

test("request time in milliseconds: refused seconds are retried once in ms, and ms is kept", async () => {
  fake.timeUnit = "ms";
  try {
    const c = client();
    const before = fake.requests.length;
    await c.handshake(100, "ILS", "al_c");
    await c.handshake(100, "ILS", "al_d");
    const seen = fake.requests.slice(before);
    expect(seen.map((r) => r.authOk)).toEqual([false, true, true]);
    expect(seen[1]!.headers["x-tranzila-api-request-time"]!.length).toBe(13);
  } finally {
    fake.timeUnit = "s";
  }
});

test("wrong secret: refused in both units → auth ProviderError", async () => {
  const c = new TranzilaClient({ terminal: fake.terminal, appKey: fake.appKey, secret: "wrong", apiUrl: fake.url });
  expect(await c.handshake(100, "ILS", "al_e").catch((e) => e)).toMatchObject({ provider: "tranzila", kind: "auth" });
});

test("the hosted page link carries the handshake, the sum, the currency code, our reference and URLs", () => {
  const url = new URL(
    client().pageUrl({
      thtk: "thtk1",
      reference: "al_ref1",
      amount: 15000,
      currency: "USD",
      description: "ייעוץ",
      notifyUrl: "https://biz.example/api/crm/payments/tranzila/notify",
      successUrl: "https://biz.example/ok",
      failUrl: "https://biz.example/fail",
      language: "he-IL",
      contactName: "Dana",
    }),
  );
  expect(`${url.origin}${url.pathname}`).toBe(`${TRANZILA_PAGES}/${fake.terminal}/iframenew.php`);
  expect(Object.fromEntries(url.searchParams)).toMatchObject({
    sum: "150",
    currency: "2",
    tranmode: "A",
    cred_type: "1",
    thtk: "thtk1",
    lang: "il",
    pdesc: "ייעוץ",
    al_ref: "al_ref1",
    contact: "Dana",
    notify_url_address: "https://biz.example/api/crm/payments/tranzila/notify",
  });
});

test("transaction lookup: the row with that index, undefined for an unknown one", async () => {
  fake.addTransaction({ index: "555", amount: "15000", reference: "al_x" });
  expect(await client().transaction("555")).toMatchObject({ index: "555", amount: "15000", processor_response_code: "000" });
  expect(await client().transaction("556")).toBeUndefined();
  expect(JSON.parse(fake.requests.at(-1)!.body)).toEqual({ terminal_name: fake.terminal, transaction_index: 556 });
});

test("report 5xx and a report that never answers are retryable ProviderErrors", async () => {
  fake.failNext("/v1/transaction", "500");
  expect(await client().transaction("555").catch((e) => e)).toMatchObject({ kind: "unavailable", retryable: true });
  fake.failNext("/v1/transaction", "hang");
  expect(await client(150).transaction("555").catch((e) => e)).toMatchObject({ kind: "timeout", retryable: true });
});

test("with TRANZILA_API_URL unset, API calls go to api.tranzila.com and reports to report.tranzila.com", () => {
  const c = new TranzilaClient({ terminal: "t", appKey: "k", secret: "s", apiUrl: TRANZILA_API }) as unknown as { base(k: string): string };
  expect(c.base("api")).toBe("https://api.tranzila.com");
  expect(c.base("reports")).toBe("https://report.tranzila.com");
});
