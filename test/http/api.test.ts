import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import type { Running } from "../../src/main.ts";
import { runScenarios } from "../support/scenario.ts";
import { logLines, startInProcess } from "../support/server.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let server: Running & { dataDir: string };
let ownerToken = "";
let agentToken = "";
const base = () => server.url;
const bearer = (t: () => string) => () => ({ authorization: `Bearer ${t()}` });

async function login(email: string, password: string) {
  const res = await fetch(`${base()}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": `10.9.${Math.random() * 200 | 0}.1` },
    body: JSON.stringify({ email, password }),
  });
  return { res, body: (await res.json()) as { token: string } };
}

beforeAll(async () => {
  server = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" });
  ownerToken = (await login("owner@example.com", "owner-password")).body.token;
  await fetch(`${base()}/api/users`, {
    method: "POST",
    headers: { authorization: `Bearer ${ownerToken}`, "content-type": "application/json" },
    body: JSON.stringify({ email: "agent@example.com", password: "agent-password", role: "agent" }),
  });
  agentToken = (await login("agent@example.com", "agent-password")).body.token;
});
afterAll(() => server.stop());

describe("health", () => {
  runScenarios(base, [
    { name: "healthz answers ok", url: "/healthz", expectedStatus: 200, expectedContent: ["ok"] },
    { name: "readyz reports every component", url: "/readyz", expectedStatus: 200, expectedContent: ['"ws":"ok"', '"db":"ok"', '"stt":', '"tts":', '"llm":', '"whatsapp":'] },
    { name: "version", url: "/version", expectedStatus: 200, expectedContent: ['"deployId":', '"commit":', '"builtAt":', '"version":"0.1.0"'] },
  ]);
});

describe("auth", () => {
  runScenarios(base, [
    { name: "login with the right password", method: "POST", url: "/api/auth/login", body: { email: "OWNER@example.com", password: "owner-password" }, expectedStatus: 200, expectedContent: ['"token":"'], notExpectedContent: ["password"] },
    { name: "login with a wrong password", method: "POST", url: "/api/auth/login", headers: { "x-forwarded-for": "10.0.0.2" }, body: { email: "owner@example.com", password: "nope" }, expectedStatus: 401, expectedContent: ['"code":"unauthorized"'] },
    { name: "login with an unknown email", method: "POST", url: "/api/auth/login", headers: { "x-forwarded-for": "10.0.0.3" }, body: { email: "who@example.com", password: "nope" }, expectedStatus: 401 },
    { name: "login without a password", method: "POST", url: "/api/auth/login", body: { email: "owner@example.com" }, expectedStatus: 422, expectedContent: ['"field":"password"', "password:"] },
    { name: "me with bearer", url: "/api/auth/me", headers: bearer(() => ownerToken), expectedStatus: 200, expectedContent: ['"email":"owner@example.com"', '"role":"owner"'] },
    { name: "me without a session", url: "/api/auth/me", expectedStatus: 401, expectedContent: ['"code":"unauthorized"'] },
    { name: "me with a forged token", url: "/api/auth/me", headers: { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOjF9.x" }, expectedStatus: 401 },
    { name: "users list as owner", url: "/api/users", headers: bearer(() => ownerToken), expectedStatus: 200, expectedContent: ["agent@example.com"], notExpectedContent: ["password_hash", "passwordHash", "argon2"] },
    { name: "users list as agent is forbidden", url: "/api/users", headers: bearer(() => agentToken), expectedStatus: 403, expectedContent: ['"code":"forbidden"'] },
    { name: "creating a duplicate user conflicts", method: "POST", url: "/api/users", headers: bearer(() => ownerToken), body: { email: "agent@example.com", password: "whatever1" }, expectedStatus: 409, expectedContent: ['"field":"email"'] },
    { name: "setup is refused once an admin exists", method: "POST", url: "/api/auth/setup", body: { token: "x", email: "a@b.co", password: "12345678" }, expectedStatus: 401 },
  ]);

  test("cookie session: login sets an httpOnly SameSite cookie that authenticates; logout revokes it server-side", async () => {
    const { res } = await login("owner@example.com", "owner-password");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^al_session=[^;]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Max-Age=43200");
    expect(cookie).not.toContain("Secure"); // plain http, no PUBLIC_BASE_URL, no trusted proxy
    const pair = cookie.split(";")[0]!;
    const me = await fetch(`${base()}/api/auth/me`, { headers: { cookie: pair } });
    expect(me.status).toBe(200);
    const out = await fetch(`${base()}/api/auth/logout`, { method: "POST", headers: { cookie: pair, origin: base() } });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/al_session=;.*Max-Age=0/);
    // the browser dropped the cookie, but a copy of it (or of the token) no longer works either
    expect((await fetch(`${base()}/api/auth/me`, { headers: { cookie: pair } })).status).toBe(401);
    expect((await fetch(`${base()}/api/auth/me`, { headers: { authorization: `Bearer ${pair.split("=")[1]}` } })).status).toBe(401);
  });
});

describe("errors", () => {
  runScenarios(base, [
    { name: "malformed JSON → 400", method: "POST", url: "/api/auth/login", rawBody: "{email:", headers: { "content-type": "application/json" }, expectedStatus: 400, expectedContent: ['"code":"bad_json"'] },
    { name: "validation → 422 naming the field", method: "POST", url: "/api/users", headers: bearer(() => ownerToken), body: { email: "not-an-email", password: "12345678" }, expectedStatus: 422, expectedContent: ['"field":"email"', "email: must be an email address"] },
    { name: "unknown /api route → 404 JSON", url: "/api/nope", headers: bearer(() => ownerToken), expectedStatus: 404, expectedContent: ['"code":"not_found"'] },
    { name: "body over 1 MB → 413", method: "POST", url: "/api/auth/login", rawBody: "x".repeat(1024 * 1024 + 10), headers: { "content-type": "application/json" }, expectedStatus: 413, expectedContent: ['"code":"payload_too_large"'] },
    { name: "unknown page → 404", url: "/nope", expectedStatus: 404 },
  ]);

  test("a 500 logs the stack and never returns it", async () => {
    // Break the database under the running server (a second connection drops the users table).
    const side = new Database(`${server.dataDir}/agentlocator.db`);
    side.run("ALTER TABLE users RENAME TO users_gone");
    try {
      const res = await fetch(`${base()}/api/auth/me`, { headers: { authorization: `Bearer ${ownerToken}` } });
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ error: { code: "internal", message: "internal server error" } });
      expect(text).not.toContain("at ");
      expect(text).not.toContain("users");
      const logged = logLines.find((l) => l.event === "http.error" && l.path === "/api/auth/me") as { err: { stack: string } };
      expect(logged.err.stack).toContain("no such table: users");
    } finally {
      side.run("ALTER TABLE users_gone RENAME TO users");
      side.close();
    }
  });
});
