/**
 * A real HTTP server running the application's Hono app over a fresh database, with the payment service built by
 * the same compose function main.ts uses — but with a short provider deadline and a clock the test moves, which a
 * full start() cannot be given. PayPal and Tranzila are the loopback stand-ins in test/fakes.
 */
import type { Server } from "bun";
import { join } from "node:path";
import { FailureLimiter } from "../../src/auth/rate-limit.ts";
import { Tokens } from "../../src/auth/tokens.ts";
import { buildPayments } from "../../src/compose/payments.ts";
import { loadConfig } from "../../src/config.ts";
import { AuditService } from "../../src/crm/audit.ts";
import { CallRecords } from "../../src/crm/call-records.ts";
import { NoteService } from "../../src/crm/notes.ts";
import { AdminHub } from "../../src/http/admin-socket.ts";
import { ContactService } from "../../src/crm/contacts.ts";
import { SettingsService } from "../../src/crm/settings.ts";
import { TaskService } from "../../src/crm/tasks.ts";
import { UserService } from "../../src/crm/users.ts";
import { migrate, openDatabase, type Db } from "../../src/db/client.ts";
import { createApp } from "../../src/http/app.ts";
import type { Services } from "../../src/http/env.ts";
import { liveFeed, type LiveEvent } from "../../src/live-events.ts";
import { configureLog } from "../../src/log.ts";
import { Readiness } from "../../src/readiness.ts";
import { versionInfo } from "../../src/version.ts";
import { tempDir } from "./server.ts";

export interface PaymentsRig {
  url: string;
  db: Db;
  services: Services;
  live: LiveEvent[];
  /** Log lines written while the rig runs (the log sink is process-wide: the latest rig or server owns it). */
  logs: Array<Record<string, unknown>>;
  /** Milliseconds since the epoch as the payment service sees it; move it to expire links. */
  clock: { now: number };
  ownerToken: string;
  agentToken: string;
  agentId: number;
  otherAgentToken: string;
  /** fetch against the rig with a session (owner by default). */
  api(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  count(table: string, where?: string): number;
  stop(): void;
}

export async function startPaymentsRig(env: Record<string, string> = {}, opts: { timeoutMs?: number } = {}): Promise<PaymentsRig> {
  const dir = tempDir("pay-");
  const config = loadConfig({ DATA_DIR: dir, LOG_FORMAT: "json", LOG_LEVEL: "error", JWT_SECRET: "payments-rig-secret-0123456789", ...env });
  const db = openDatabase(join(dir, "agentlocator.db"));
  migrate(db);
  const live: LiveEvent[] = [];
  const feed = liveFeed((e) => live.push(e));
  const logs: Array<Record<string, unknown>> = [];
  configureLog({ format: "json", level: "debug", write: (line) => logs.push(JSON.parse(line)) });
  const clock = { now: Date.now() };
  const contacts = new ContactService(db);
  const audit = new AuditService(db);
  const settings = new SettingsService(db);
  const users = new UserService(db);
  const services: Services = {
    users,
    audit,
    contacts,
    calls: new CallRecords(db, contacts, feed),
    tasks: new TaskService(db, { live: feed }),
    settings,
    notes: new NoteService(db),
    live: feed,
    payments: buildPayments(
      config,
      { db, audit, contacts, businessName: () => settings.business().name || undefined },
      feed,
      { timeoutMs: opts.timeoutMs ?? 1500, now: () => clock.now },
    ),
  };
  const tokens = new Tokens(config.jwtSecret!);
  const app = createApp({
    config,
    readiness: new Readiness(),
    version: versionInfo("rig"),
    tokens,
    loginLimiter: new FailureLimiter(5, 60_000),
    streamToken: () => "",
    adminHub: new AdminHub(() => undefined),
    services: () => services,
  });
  const server: Server<unknown> = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => app.fetch(req, { server: srv }) });
  const url = `http://127.0.0.1:${server.port}`;

  const owner = await users.create({ email: "owner@example.com", password: "owner-password", role: "owner" });
  const agent = await users.create({ email: "agent@example.com", password: "agent-password", role: "agent" });
  const other = await users.create({ email: "other@example.com", password: "other-password", role: "agent" });
  const ownerToken = await tokens.session(owner.id, owner.role);

  return {
    url,
    db,
    services,
    live,
    logs,
    clock,
    ownerToken,
    agentToken: await tokens.session(agent.id, agent.role),
    agentId: agent.id,
    otherAgentToken: await tokens.session(other.id, other.role),
    api(path, init = {}) {
      const { token, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set("authorization", `Bearer ${token ?? ownerToken}`);
      if (json !== undefined) headers.set("content-type", "application/json");
      return fetch(url + path, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    },
    count(table, where = "1") {
      return (db.$client.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
    },
    stop() {
      server.stop(true);
      db.$client.close();
    },
  };
}
