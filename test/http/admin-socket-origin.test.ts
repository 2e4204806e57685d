/**
 * /ws/admin opens only from the admin app's own origin — by the same rule as cookie-authenticated writes
 * (isOwnOrigin): PUBLIC_BASE_URL's origin, or the host the browser used, compared case-insensitively, with
 * X-Forwarded-Host counted only through TRUST_PROXY_HOPS trusted proxies. In-process there is no Bun server to
 * upgrade with, so an accepted origin answers 426 and a refused one 403.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { testApp } from "../support/app.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

const upgrade = { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==" };

async function socketAs(env: Record<string, string>, headers: Record<string, string>) {
  const t = await testApp({ env });
  const owner = await t.user("owner@example.com", "owner");
  const res = await t.request("/ws/admin", { headers: { ...upgrade, cookie: owner.cookie, ...headers } });
  return res.status;
}

test("the Host header's case does not matter (a host is case-insensitive)", async () => {
  expect(await socketAs({}, { host: "App.Example.COM:8080", origin: "https://app.example.com:8080" })).toBe(426);
  expect(await socketAs({}, { host: "app.example.com:8080", origin: "https://evil.example.com:8080" })).toBe(403);
});

test("behind a trusted proxy (TRUST_PROXY_HOPS=1) the host is X-Forwarded-Host's; with 0 a forged one counts for nothing", async () => {
  const proxied = { host: "10.0.0.5:3000", "x-forwarded-host": "crm.example.com", origin: "https://crm.example.com" };
  expect(await socketAs({ TRUST_PROXY_HOPS: "1" }, proxied)).toBe(426);
  expect(await socketAs({ TRUST_PROXY_HOPS: "0" }, proxied)).toBe(403);
  expect(await socketAs({ TRUST_PROXY_HOPS: "0" }, { ...proxied, origin: "http://10.0.0.5:3000" })).toBe(426);
});

test("PUBLIC_BASE_URL's origin is the app's, whatever host the request names", async () => {
  expect(await socketAs({ PUBLIC_BASE_URL: "https://agent.example.com" }, { host: "127.0.0.1:3000", origin: "https://agent.example.com" })).toBe(426);
  expect(await socketAs({ PUBLIC_BASE_URL: "https://agent.example.com" }, { host: "127.0.0.1:3000", origin: "https://evil.example" })).toBe(403);
});
