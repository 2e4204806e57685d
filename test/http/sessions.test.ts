/**
 * Sessions and cross-site requests against a real server: logout then reuse, tokens without `exp`, the Secure
 * cookie, cookie-authenticated writes from another origin, non-JSON bodies, concurrent first-run setup and
 * concurrent creation of one email.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decode, sign } from "hono/jwt";
import type { Running } from "../../src/main.ts";
import { json, testApp } from "../support/app.ts";
import { runScenarios } from "../support/scenario.ts";
import { logLines, startInProcess } from "../support/server.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let server: Running & { dataDir: string };
let token = "";
let cookie = "";
const base = () => server.url;

beforeAll(async () => {
  server = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" });
  const res = await fetch(`${base()}/api/auth/login`, json({ email: "owner@example.com", password: "owner-password" }));
  token = ((await res.json()) as { token: string }).token;
  cookie = res.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(() => server.stop());

const usersNamed = async (email: string) =>
  ((await (await fetch(`${base()}/api/users`, { headers: { authorization: `Bearer ${token}` } })).json()) as { users: Array<{ email: string }> }).users.filter((u) => u.email === email).length;

describe("cookie-authenticated writes must come from the app's own origin", () => {
  const invite = (email: string) => ({ email, role: "agent" });
  runScenarios(base, [
    { name: "cross-origin POST with the cookie → 403, nothing created", method: "POST", url: "/api/users", headers: () => ({ cookie, origin: "https://evil.example" }), body: invite("x1@example.com"), expectedStatus: 403, expectedContent: ["cross-origin request refused", "https://evil.example"], after: async () => expect(await usersNamed("x1@example.com")).toBe(0) },
    { name: "cross-origin text/plain POST with the cookie → 403", method: "POST", url: "/api/users", headers: () => ({ cookie, origin: "https://evil.example", "content-type": "text/plain" }), rawBody: JSON.stringify(invite("x2@example.com")), expectedStatus: 403 },
    { name: "Origin null (sandboxed frame) → 403", method: "POST", url: "/api/users", headers: () => ({ cookie, origin: "null" }), body: invite("x3@example.com"), expectedStatus: 403 },
    { name: "no Origin, Sec-Fetch-Site cross-site → 403", method: "POST", url: "/api/users", headers: () => ({ cookie, "sec-fetch-site": "cross-site" }), body: invite("x4@example.com"), expectedStatus: 403 },
    { name: "no Origin and no Sec-Fetch-Site with the cookie → 403", method: "PUT", url: "/api/settings/business", headers: () => ({ cookie }), body: { name: "Evil" }, expectedStatus: 403 },
    { name: "a cookie logout from another origin → 403", method: "POST", url: "/api/auth/logout", headers: () => ({ cookie, origin: "https://evil.example" }), expectedStatus: 403 },
    { name: "same origin with the cookie → 201", method: "POST", url: "/api/users", headers: () => ({ cookie, origin: base() }), body: invite("ok1@example.com"), expectedStatus: 201 },
    { name: "no Origin but Sec-Fetch-Site same-origin → 201", method: "POST", url: "/api/users", headers: () => ({ cookie, "sec-fetch-site": "same-origin" }), body: invite("ok2@example.com"), expectedStatus: 201 },
    { name: "reads with the cookie need no Origin", url: "/api/users", headers: () => ({ cookie, origin: "https://evil.example" }), expectedStatus: 200 },
    { name: "a Bearer client is not a cookie request: any Origin", method: "POST", url: "/api/users", headers: () => ({ authorization: `Bearer ${token}`, origin: "https://tool.example" }), body: invite("ok3@example.com"), expectedStatus: 201 },
    { name: "JSON routes refuse text/plain even with a Bearer token → 415", method: "POST", url: "/api/users", headers: () => ({ authorization: `Bearer ${token}`, "content-type": "text/plain" }), rawBody: JSON.stringify(invite("x5@example.com")), expectedStatus: 415, expectedContent: ['"code":"unsupported_media_type"', "application/json"] },
    { name: "a form body on a JSON route → 415", method: "POST", url: "/api/auth/login", headers: { "content-type": "application/x-www-form-urlencoded" }, rawBody: "email=owner%40example.com&password=owner-password", expectedStatus: 415 },
    { name: "no content type at all → 415", method: "POST", url: "/api/auth/login", rawBody: '{"email":"owner@example.com","password":"owner-password"}', expectedStatus: 415 },
    { name: "application/json with a charset is JSON", method: "POST", url: "/api/auth/login", headers: { "content-type": "application/json; charset=utf-8" }, rawBody: '{"email":"owner@example.com","password":"owner-password"}', expectedStatus: 200 },
  ]);

  test("behind a proxy that rewrites Host, PUBLIC_BASE_URL's origin is the app's origin", async () => {
    const t = await testApp({ env: { PUBLIC_BASE_URL: "https://agent.example.com" } });
    const owner = await t.user("boss@example.com", "owner");
    const post = (origin: string) => t.request("/api/users", json({ email: `${crypto.randomUUID()}@example.com` }, { cookie: owner.cookie, origin, host: "10.0.0.7:3000" }));
    expect((await post("https://agent.example.com")).status).toBe(201);
    expect((await post("https://evil.example")).status).toBe(403);
  });
});

describe("sessions end when they should", () => {
  test("logout revokes the token server-side: reusing it (Bearer or cookie) is refused", async () => {
    const res = await fetch(`${base()}/api/auth/login`, json({ email: "owner@example.com", password: "owner-password" }));
    const { token: t2 } = (await res.json()) as { token: string };
    const me = () => fetch(`${base()}/api/auth/me`, { headers: { authorization: `Bearer ${t2}` } });
    expect((await me()).status).toBe(200);
    expect((await fetch(`${base()}/api/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${t2}` } })).status).toBe(204);
    expect((await me()).status).toBe(401);
    expect((await fetch(`${base()}/api/auth/me`, { headers: { cookie: `al_session=${t2}` } })).status).toBe(401);
    expect((await fetch(`${base()}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200); // other sessions live on
  });

  test("a correctly signed token without exp is refused, even for a live session", async () => {
    const secret = readFileSync(join(server.dataDir, "jwt_secret"), "utf8").trim();
    const { payload } = decode(token);
    const { exp: _exp, ...forever } = payload;
    const noExp = await sign(forever, secret, "HS256");
    expect((await fetch(`${base()}/api/auth/me`, { headers: { authorization: `Bearer ${noExp}` } })).status).toBe(401);
    const same = await sign(payload, secret, "HS256"); // the same claims with exp: accepted (the key is right)
    expect((await fetch(`${base()}/api/auth/me`, { headers: { authorization: `Bearer ${same}` } })).status).toBe(200);
  });

  test("the cookie is Secure when the public URL is https: PUBLIC_BASE_URL, or X-Forwarded-Proto through a trusted proxy only", async () => {
    const secureWith = async (env: Record<string, string>, headers: Record<string, string> = {}) => {
      const t = await testApp({ env });
      await t.services.users.create({ email: "c@example.com", password: "c-password", role: "owner" });
      const res = await t.request("/api/auth/login", json({ email: "c@example.com", password: "c-password" }, headers));
      expect(res.status).toBe(200);
      return res.headers.get("set-cookie")!.includes("; Secure");
    };
    expect(await secureWith({ PUBLIC_BASE_URL: "https://agent.example.com", TRUST_PROXY_HOPS: "0" })).toBe(true);
    expect(await secureWith({ TRUST_PROXY_HOPS: "0" }, { "x-forwarded-proto": "https" })).toBe(false); // forged: ignored
    expect(await secureWith({ TRUST_PROXY_HOPS: "1" }, { "x-forwarded-proto": "https" })).toBe(true);
    expect(await secureWith({ TRUST_PROXY_HOPS: "1" }, { "x-forwarded-proto": "http" })).toBe(false);
  });
});

describe("concurrency", () => {
  test("20 concurrent first-run setups create exactly one owner; the others get 409, never 500", async () => {
    const fresh = await startInProcess({});
    try {
      const link = logLines.findLast((l) => l.event === "setup.link")!.url as string;
      const setupToken = new URL(link).searchParams.get("token")!;
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => fetch(`${fresh.url}/api/auth/setup`, json({ token: setupToken, email: `boss${i}@example.com`, password: "boss-password" }))),
      );
      const codes = results.map((r) => r.status).sort();
      expect(codes).toEqual([200, ...Array(19).fill(409)]);
      const winner = (await Promise.all(results.map((r) => r.json()))).find((b: any) => b.token) as { token: string };
      const users = (await (await fetch(`${fresh.url}/api/users`, { headers: { authorization: `Bearer ${winner.token}` } })).json()) as { users: Array<{ role: string }> };
      expect(users.users.map((u) => u.role)).toEqual(["owner"]);
    } finally {
      await fresh.stop();
    }
  });

  test("a text/plain setup from another origin (the old way to plant an owner) is refused", async () => {
    const fresh = await startInProcess({});
    try {
      const link = logLines.findLast((l) => l.event === "setup.link")!.url as string;
      const setupToken = new URL(link).searchParams.get("token")!;
      const res = await fetch(`${fresh.url}/api/auth/setup`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin: "https://evil.example" },
        body: JSON.stringify({ token: setupToken, email: "evil@example.com", password: "evil-password" }),
      });
      expect(res.status).toBe(415);
      const after = await fetch(`${fresh.url}/api/auth/login`, json({ email: "evil@example.com", password: "evil-password" }));
      expect(after.status).toBe(401);
    } finally {
      await fresh.stop();
    }
  });

  test("20 concurrent creations of one email: one 201, the rest 409, never 500", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${base()}/api/users`, json({ email: "twice@example.com", role: "agent", password: "twice-password" }, { authorization: `Bearer ${token}` }))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(19).fill(409)]);
    expect(await usersNamed("twice@example.com")).toBe(1);
  });
});
