/**
 * The stage of the contacts, board and tasks browser tests: the server in this process with its owner
 * (owner@example.com / owner-password), a custom number field `floor`, an agent (דנה לוי), one headless Chromium and
 * the owner's page, signed in — started once per test file and stopped after it. Nothing starts when Chromium is
 * missing (the tests skip). The `let` exports are live bindings.
 */
import { afterAll, beforeAll } from "bun:test";
import type { Browser } from "playwright-core";
import { chromiumAvailable, launchBrowser, openPage, signIn, type OpenedPage } from "./browser.ts";
import { startInProcess } from "./server.ts";

type Server = Awaited<ReturnType<typeof startInProcess>>;
export let server: Server;
export let browser: Browser;
export let owner: OpenedPage;
let token = "";
export let agentId = 0;

/** An /api request as the owner: the status and the parsed JSON body. */
export const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
};

/** Registers the file's start and stop; call once at the top of a test file (before its own beforeAll). */
export function useAdminServer(): void {
  beforeAll(async () => {
    if (!chromiumAvailable) return;
    server = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" });
    const login = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }) });
    token = ((await login.json()) as { token: string }).token;
    await api("/api/settings/contact-fields", { method: "PUT", body: { fields: [{ key: "floor", label: { he: "קומה", en: "Floor" }, type: "number", required: false }] } });
    agentId = (await api("/api/users", { body: { email: "agent@example.com", name: "דנה לוי", role: "agent", password: "agent-password" } })).body.user.id;
    browser = await launchBrowser();
    owner = await openPage(browser, { baseUrl: server.url });
    await signIn(owner.page, "owner@example.com", "owner-password");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop(2000);
  });
}
