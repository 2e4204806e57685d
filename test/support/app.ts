/**
 * The Hono application over an in-memory database, with no server: `app.request(path, init)` as Hono tests do.
 * Built from the same pieces main.ts uses (createServices, createApp), so routes run exactly as in production.
 * With TRUST_PROXY_HOPS=1 (the default here) a test chooses the client address with `X-Forwarded-For`.
 */
import { LoginGuard } from "../../src/auth/login-guard.ts";
import { Semaphore } from "../../src/auth/semaphore.ts";
import { Tokens } from "../../src/auth/tokens.ts";
import { loadConfig } from "../../src/config.ts";
import { migrate, openDatabase, type Db } from "../../src/db/client.ts";
import { configureLog } from "../../src/log.ts";
import { AdminHub } from "../../src/http/admin-socket.ts";
import { createApp } from "../../src/http/app.ts";
import type { HttpDeps, Services } from "../../src/http/env.ts";
import type { LiveFeed } from "../../src/live-events.ts";
import { createServices, passwordGate, type ServiceOptions } from "../../src/main.ts";
import { Readiness } from "../../src/readiness.ts";
import type { Role } from "../../src/roles.ts";
import { versionInfo } from "../../src/version.ts";
import { disabledWhatsapp, type WhatsappControl } from "../../src/whatsapp/control.ts";
import { logLines, tempDir } from "./server.ts";

export const SECRET = "test-secret-".padEnd(48, "x");

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: HttpDeps;
  services: Services;
  db: Db;
  tokens: Tokens;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Creates a user with a password (straight in the database) and signs them in: their Bearer token. */
  user(email: string, role: Role, password?: string): Promise<{ id: number; token: string; cookie: string }>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  guard?: LoginGuard;
  gate?: Semaphore;
  live?: LiveFeed;
  /** Payment providers' deadline (ms) and clock. */
  payments?: ServiceOptions["payments"];
  /** The linked phone's control (default: WHATSAPP_ENABLED=false). */
  whatsapp?: WhatsappControl;
}

export async function testApp(o: TestAppOptions = {}): Promise<TestApp> {
  configureLog({ format: "json", level: "debug", write: (line) => logLines.push(JSON.parse(line)) });
  const config = loadConfig({ DATA_DIR: tempDir(), TRUST_PROXY_HOPS: "1", LOG_LEVEL: "error", ...o.env });
  const db = openDatabase(":memory:");
  migrate(db);
  const services = createServices(db, { config, gate: o.gate ?? passwordGate(), live: o.live, payments: o.payments });
  const tokens = new Tokens(SECRET);
  const readiness = new Readiness();
  const deps: HttpDeps = {
    config,
    readiness,
    version: versionInfo("test"),
    tokens,
    loginGuard: o.guard ?? new LoginGuard(),
    streamToken: () => "t",
    adminHub: new AdminHub(() => undefined),
    services: () => services,
    whatsapp: o.whatsapp ?? disabledWhatsapp(readiness),
  };
  const app = createApp(deps);
  const request = async (path: string, init?: RequestInit) => app.request(path, init);
  let address = 1;
  return {
    app,
    deps,
    services,
    db,
    tokens,
    request,
    async user(email, role, password = "password-1234") {
      const created = services.users.byEmail(email) ?? (await services.users.create({ email, password, role }));
      const res = await request("/api/auth/login", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `192.0.2.${address++ % 250}` },
        body: JSON.stringify({ email, password }),
      });
      if (res.status !== 200) throw new Error(`login of ${email} answered ${res.status}: ${await res.text()}`);
      const { token } = (await res.json()) as { token: string };
      return { id: created.id, token, cookie: res.headers.get("set-cookie")!.split(";")[0]! };
    },
  };
}

export const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
