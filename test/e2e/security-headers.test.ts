/**
 * The admin app's pages carry a Content-Security-Policy (with frame-ancestors 'none'), nosniff and a referrer policy —
 * and still work under it in a real browser (a CSP violation is a console error); every other answer has the
 * allow-nothing policy; unknown routes are JSON under /api and a proper 404 page elsewhere.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import type { Running } from "../../src/main.ts";
import { runScenarios } from "../support/scenario.ts";
import { logLines, startInProcess } from "../support/server.ts";

// a real Chromium and server: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(30_000);

let server: Running & { dataDir: string };
let token = "";
beforeAll(async () => {
  server = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" });
  const res = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }) });
  token = ((await res.json()) as { token: string }).token;
});
afterAll(() => server.stop());
const base = () => server.url;

const spaHeaders = (headers: Headers) => {
  const csp = headers.get("content-security-policy") ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain("unsafe-eval");
  expect(headers.get("x-content-type-options")).toBe("nosniff");
  expect(headers.get("referrer-policy")).toBe("same-origin");
  expect(headers.get("x-frame-options")).toBe("DENY");
};

describe("headers", () => {
  runScenarios(base, [
    { name: "/app carries the app's CSP, nosniff and the referrer policy", url: "/app", expectedStatus: 200, expectedContent: ['<div id="root">'], after: ({ headers }) => spaHeaders(headers) },
    { name: "a deep link too", url: "/app/admin/calls/CA123", expectedStatus: 200, expectedContent: ['<div id="root">'], after: ({ headers }) => spaHeaders(headers) },
    { name: "the set-password page (its token is in the URL: no referrer leaves the site)", url: "/app/set-password?token=abc", expectedStatus: 200, after: ({ headers }) => spaHeaders(headers) },
    { name: "a POST to a page → 405", method: "POST", url: "/app/login", expectedStatus: 405 },
    { name: "JSON answers allow nothing and are not cached", url: "/api/auth/me", headers: () => ({ authorization: `Bearer ${token}` }), expectedStatus: 200, after: ({ headers }) => {
      expect(headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(headers.get("x-content-type-options")).toBe("nosniff");
      expect(headers.get("cache-control")).toBe("no-store");
    } },
    { name: "an unknown /api route (signed in) → 404 JSON", url: "/api/nope", headers: () => ({ authorization: `Bearer ${token}` }), expectedStatus: 404, expectedContent: ['{"error":{"code":"not_found"'] },
    { name: "an unknown /api route (signed out) → 401 JSON", url: "/api/nope", expectedStatus: 401, expectedContent: ['{"error":{"code":"unauthorized"'] },
    { name: "an unknown page → 404 HTML page with the allow-nothing policy", url: "/nope", expectedStatus: 404, expectedContent: ["<h1>404 Not Found</h1>"], after: ({ headers }) => {
      expect(headers.get("content-type")).toStartWith("text/html");
      expect(headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    } },
    { name: "an unknown route asked for as JSON → 404 JSON", url: "/nope", headers: { accept: "application/json" }, expectedStatus: 404, expectedContent: ['"code":"not_found"'] },
    { name: "TwiML carries nosniff too", method: "POST", url: "/webhook/incoming_call", headers: { "content-type": "application/x-www-form-urlencoded" }, rawBody: "CallSid=CAhdr1", expectedStatus: 200, after: ({ headers }) => expect(headers.get("x-content-type-options")).toBe("nosniff") },
  ]);

  test("the page is revalidated with its ETag (304) and its script and stylesheet load", async () => {
    const page = await fetch(`${base()}/app/login`);
    const etag = page.headers.get("etag")!;
    const html = await page.text();
    expect(etag).toBeTruthy();
    const again = await fetch(`${base()}/app/admin/overview`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    spaHeaders(again.headers);
    for (const asset of [html.match(/src="([^"]+\.js)"/)![1]!, html.match(/href="([^"]+\.css)"/)![1]!]) expect((await fetch(new URL(asset, base()))).status).toBe(200);
  });
});

test.skipIf(!existsSync("/usr/bin/chromium"))(
  "the app works under its CSP in Chromium: sign in, no console errors, and another site cannot frame it",
  async () => {
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 800 } });
      const problems: string[] = [];
      const startedAt = new Date().toISOString();
      page.on("console", (m) => void (m.type() === "error" && problems.push(m.text())));
      page.on("pageerror", (e) => void problems.push(e.message));
      await page.goto(`${base()}/app/login`);
      await page.fill('input[name="email"]', "owner@example.com");
      await page.fill('input[name="password"]', "owner-password");
      await page.click('button[type="submit"]');
      await page.waitForURL("**/app/admin/overview");
      // the overview's charts drawn (uPlot sets inline styles, which the policy allows)
      await page.waitForSelector("main .uplot canvas");
      // a CSP violation is a console error ("Refused to load …"); no request may fail (the favicon is served too)
      const failed = logLines.filter((l) => l.event === "http.request" && Number(l.status) >= 400 && String(l.time) >= startedAt);
      expect(failed).toEqual([]);
      expect(problems).toEqual([]);

      // a page on another origin tries to frame the app: the browser refuses (frame-ancestors 'none')
      const other = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(`<iframe id="f" src="${base()}/app/login"></iframe>`, { headers: { "content-type": "text/html" } }) });
      try {
        const framer = await browser.newPage();
        const blocked = new Promise<boolean>((resolve) => framer.on("console", (m) => /frame-ancestors|Refused to frame/.test(m.text()) && resolve(true)));
        await framer.goto(`http://127.0.0.1:${other.port}/`);
        expect(await Promise.race([blocked, Bun.sleep(5000).then(() => false)])).toBe(true);
        const frame = framer.frames().find((f) => f !== framer.mainFrame());
        expect(await frame?.$("#root").catch(() => null) ?? null).toBeNull();
      } finally {
        other.stop(true);
      }
    } finally {
      await browser.close();
    }
  },
  60_000,
);
