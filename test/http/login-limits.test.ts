/**
 * Password guessing, tried the way an attacker would: parallel bursts, many accounts from one address, one account
 * from many addresses, forged X-Forwarded-For with TRUST_PROXY_HOPS 0 and 1.
 */
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { DEFAULT_LOGIN_LIMITS, LoginGuard } from "../../src/auth/login-guard.ts";
import { json, testApp, type TestApp } from "../support/app.ts";
import { requestFrom } from "../support/raw-http.ts";
import { startInProcess } from "../support/server.ts";

const statuses = (list: Array<{ status: number }>) => {
  const out: Record<number, number> = {};
  for (const r of list) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
};

describe("limits counted before the password is checked (TRUST_PROXY_HOPS=1, addresses from X-Forwarded-For)", () => {
  // a fresh app for each test: the per-account limit would otherwise carry one test's guesses into the next
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
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

  test("during a 200-request burst from one address, a valid login from another answers 200 in under 1 s", async () => {
    const burst = Promise.all(Array.from({ length: 200 }, () => login("203.0.113.3", "owner@example.com", "guess")));
    const t0 = performance.now();
    const valid = await login("198.51.100.4", "owner@example.com", "owner-password");
    const ms = performance.now() - t0;
    expect(valid.status).toBe(200);
    expect(ms).toBeLessThan(1000);
    expect(statuses(await burst)).toEqual({ 401: 5, 429: 195 });
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
