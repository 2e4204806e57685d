/**
 * Password guessing, tried the way an attacker would: parallel bursts, many accounts from one address, one account
 * from many addresses, forged X-Forwarded-For with TRUST_PROXY_HOPS 0 and 1.
 */
import { afterAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { DEFAULT_LOGIN_LIMITS, LoginGuard } from "../../src/auth/login-guard.ts";
import { Semaphore } from "../../src/auth/semaphore.ts";
import { passwordGate } from "../../src/main.ts";
import { json, testApp, type TestApp } from "../support/app.ts";
import { requestFrom } from "../support/raw-http.ts";
import { startInProcess } from "../support/server.ts";
import { until } from "../support/wait.ts";

// each test runs a dozen argon2 verifications (64 MiB, ~0.1 s alone, several times that on a busy machine) in
// sequence: bun's 5 s default is a wall-clock limit these tests do not mean to assert
setDefaultTimeout(30_000);

const statuses = (list: Array<{ status: number }>) => {
  const out: Record<number, number> = {};
  for (const r of list) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

describe("limits counted before the password is checked (TRUST_PROXY_HOPS=1, addresses from X-Forwarded-For)", () => {
  // a fresh app for each test: the per-account limit would otherwise carry one test's guesses into the next
  // the gate lets a queued check wait a minute: these tests count the limiter's decisions, and on a loaded machine
  // the production gate's 3 s queue could turn a counted attempt into `429 busy` (the gate is tested below)
  let t: TestApp;
  let gate: Semaphore;
  beforeEach(async () => {
    gate = new Semaphore(2, 16, 60_000, 1);
    t = await testApp({ gate });
    await t.services.users.create({ email: "owner@example.com", password: "owner-password", role: "owner" });
    await t.services.users.create({ email: "b@example.com", password: "b-password", role: "agent" });
  });
  const login = (ip: string, email: string, password: string) => t.request("/api/auth/login", json({ email, password }, { "x-forwarded-for": ip }));

  test("200 parallel wrong logins from one address are limited exactly like 200 sequential ones: 5 checked, 195 × 429", async () => {
    const parallel = await Promise.all(Array.from({ length: 200 }, () => login("203.0.113.1", "owner@example.com", "guess")));
    expect(statuses(parallel)).toEqual({ 401: 5, 429: 195 });
    const sequential = [];
    for (let i = 0; i < 200; i++) sequential.push(await login("203.0.113.2", "owner@example.com", "guess"));
    expect(statuses(sequential)).toEqual({ 401: 5, 429: 195 });
    expect(sequential.slice(0, 5).map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    const blocked = sequential[5]!;
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain('"code":"rate_limited"');
    // even the right password is refused while the address is blocked
    expect((await login("203.0.113.1", "owner@example.com", "owner-password")).status).toBe(429);
  });

  test("during a 200-request burst from one address, a valid login from another is admitted at once and waits behind at most the burst's 5 checks", async () => {
    const before = { ...gate.stats.normal };
    const burst = Promise.all(Array.from({ length: 200 }, () => login("203.0.113.3", "owner@example.com", "guess")));
    const valid = await login("198.51.100.4", "owner@example.com", "owner-password");
    expect(valid.status).toBe(200);
    expect(statuses(await burst)).toEqual({ 401: 5, 429: 195 });
    // the gate saw 6 checks — the burst's 5 and the valid one — and refused none: the valid login's wait is
    // bounded by five verifications, whatever the machine's speed (milliseconds are scripts/bench's business)
    const after = gate.stats.normal;
    expect(after.immediate + after.waited - before.immediate - before.waited).toBe(6);
    expect(after.refused).toBe(before.refused);
  });

  test("a correct login to account A does not clear the address's failures against account B", async () => {
    const ip = "203.0.113.4";
    for (let i = 0; i < 4; i++) expect((await login(ip, "b@example.com", "wrong")).status).toBe(401);
    expect((await login(ip, "owner@example.com", "owner-password")).status).toBe(200);
    expect((await login(ip, "b@example.com", "wrong")).status).toBe(401);
    expect((await login(ip, "b@example.com", "b-password")).status).toBe(429);
  });

  test("a correct login clears that address's failures for the same account (a mistyped password is forgiven)", async () => {
    const ip = "203.0.113.5";
    for (let i = 0; i < 4; i++) expect((await login(ip, "b@example.com", "wrong")).status).toBe(401);
    expect((await login(ip, "b@example.com", "b-password")).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(ip, "b@example.com", "wrong")).status).toBe(401);
    expect((await login(ip, "b@example.com", "b-password")).status).toBe(200);
  });

  test("a non-JSON login (a cross-site form can send text/plain) is refused with 415 and counts nothing", async () => {
    const res = await t.request("/api/auth/login", { method: "POST", headers: { "content-type": "text/plain", "x-forwarded-for": "203.0.113.6" }, body: '{"email":"owner@example.com","password":"x"}' });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain("Content-Type: application/json");
    expect(t.deps.loginGuard.byAddress.retryAfterS("203.0.113.6")).toBe(0);
  });
});

describe("a distributed burst: 200 addresses guessing 200 made-up accounts fill the password gate", () => {
  test("the owner's login from their usual address takes the priority lane: 200 without waiting in the queue; the made-up accounts cost no argon2 under pressure", async () => {
    const gate = passwordGate(); // the production gate
    const t = await testApp({ gate }); // TRUST_PROXY_HOPS=1: the address is the X-Forwarded-For entry
    await t.services.users.create({ email: "owner@example.com", password: "owner-password", role: "owner" });
    const login = (ip: string, email: string, password: string) => t.request("/api/auth/login", json({ email, password }, { "x-forwarded-for": ip }));
    expect((await login("198.51.100.7", "owner@example.com", "owner-password")).status).toBe(200); // the owner's desk
    const checksBefore = { ...t.services.users.checks };
    const burst = Promise.all(Array.from({ length: 200 }, (_, i) => login(`10.9.${i >> 8}.${i & 255}`, `user${i}@example.com`, "guess")));
    // every slot busy and guesses waiting (checks take ≈ 45 ms, so the queue drains and refills while the burst lasts)
    await until(() => gate.queued > 0 && gate.running >= gate.max, 10_000, "the burst filling the password gate");
    expect(gate.queued).toBeGreaterThan(0); // the owner's login arrives behind waiting guesses
    const priority = { ...gate.stats.priority };
    const valid = await login("198.51.100.7", "owner@example.com", "owner-password");
    expect(valid.status).toBe(200);
    // the gate's own account of it: one priority check, started at once — it never queued behind the burst
    expect(gate.stats.priority).toEqual({ immediate: priority.immediate + 1, waited: priority.waited, refused: priority.refused });
    const counts = statuses(await burst);
    // every guess was checked (401) or refused by the full gate (429 busy); the checks of made-up emails under
    // pressure held their slot for a verification's time but hashed nothing: real verifications only while a slot
    // was free (the burst's first and last few), so memory and CPU stay for real sign-ins
    const checks = t.services.users.checks;
    const real = checks.real - checksBefore.real - 1; // the owner's own
    const standIn = checks.standIn - checksBefore.standIn;
    expect(Object.keys(counts).sort()).toEqual(["401", "429"]);
    expect(real + standIn).toBe(counts[401]!);
    expect(real).toBeLessThanOrEqual(2 * gate.max);
    expect(standIn).toBeGreaterThan(0);
  });
});

describe("per-account limit: an account attacked from many addresses", () => {
  test("11 addresses guessing the owner's password lock new addresses out for at most 5 minutes; the owner's usual address is never locked", async () => {
    let now = Date.now();
    const t = await testApp({ guard: new LoginGuard(DEFAULT_LOGIN_LIMITS, () => now) });
    await t.services.users.create({ email: "owner@example.com", password: "owner-password", role: "owner" });
    const login = (ip: string, password: string) => t.request("/api/auth/login", json({ email: "owner@example.com", password }, { "x-forwarded-for": ip }));
    expect((await login("198.51.100.10", "owner-password")).status).toBe(200); // the owner's office
    for (let i = 0; i < 10; i++) expect((await login(`203.0.113.${100 + i}`, "guess")).status).toBe(401);
    const fresh = await login("203.0.113.200", "owner-password");
    expect(fresh.status).toBe(429);
    expect(await fresh.text()).toContain("for this account");
    expect((await login("198.51.100.10", "owner-password")).status).toBe(200);
    now += DEFAULT_LOGIN_LIMITS.perAccount.windowMs + 1;
    expect((await login("203.0.113.200", "owner-password")).status).toBe(200);
  });
});

describe("forged X-Forwarded-For at the wire (clients on 127.0.0.2 / 127.0.0.3)", () => {
  const servers: Array<{ stop(): Promise<void> }> = [];
  afterAll(async () => void (await Promise.all(servers.map((s) => s.stop()))));
  const attempt = (url: string, from: string, xff: string | undefined, password: string) =>
    requestFrom(from, `${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(xff ? { "x-forwarded-for": xff } : {}) },
      body: JSON.stringify({ email: "owner@example.com", password }),
    });

  test("TRUST_PROXY_HOPS=0: a forged header neither escapes the limit nor lands in someone else's bucket", async () => {
    const server = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password", TRUST_PROXY_HOPS: "0" });
    servers.push(server);
    for (let i = 0; i < 5; i++) expect((await attempt(server.url, "127.0.0.2", `10.0.0.${i}`, "guess")).status).toBe(401);
    expect((await attempt(server.url, "127.0.0.2", "10.0.0.99", "owner-password")).status).toBe(429);
    // the attacker claims to be the victim's address: it is the attacker's own socket that counts
    for (let i = 0; i < 5; i++) expect((await attempt(server.url, "127.0.0.2", "127.0.0.3", "guess")).status).toBe(429);
    expect((await attempt(server.url, "127.0.0.3", undefined, "owner-password")).status).toBe(200);
  });

  test("TRUST_PROXY_HOPS=1: the address the proxy appended counts, whatever the client wrote before it", async () => {
    const server = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password", TRUST_PROXY_HOPS: "1" });
    servers.push(server);
    // the test is the proxy on 127.0.0.2: it appends the client's address (203.0.113.50) to what the client sent
    for (let i = 0; i < 5; i++) expect((await attempt(server.url, "127.0.0.2", `1.2.3.${i}, 203.0.113.50`, "guess")).status).toBe(401);
    expect((await attempt(server.url, "127.0.0.2", "9.9.9.9, 203.0.113.50", "owner-password")).status).toBe(429);
    expect((await attempt(server.url, "127.0.0.2", "203.0.113.50, 203.0.113.51", "owner-password")).status).toBe(200);
  });
});
