/** The icon and logo from assets/ at fixed addresses: /favicon.ico (browsers ask for it whatever a page says), /favicon.svg, /assets/logo.svg. */
import { expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { testApp } from "../support/app.ts";
import { ROOT } from "../support/server.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

test.each([
  ["/favicon.ico", "favicon.ico", "image/x-icon"],
  ["/favicon.svg", "favicon.svg", "image/svg+xml"],
  ["/assets/logo.svg", "logo.svg", "image/svg+xml"],
])("GET %s → 200, the file from assets/, cached, runs nothing when opened", async (path, file, type) => {
  const t = await testApp();
  const res = await t.request(path);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe(type);
  expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
  expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array(readFileSync(join(ROOT, "assets", file))));
});
