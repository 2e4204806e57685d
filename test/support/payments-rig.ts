/**
 * A real HTTP server running the application's Hono app over a fresh database, with the services built by the same
 * function main.ts uses (createServices) — but with a short provider deadline and a clock the test moves, which a
 * full start() cannot be given. PayPal and Tranzila are the loopback stand-ins in test/fakes.
 */
import type { Server } from "bun";
import type { Db } from "../../src/db/client.ts";
import type { Services } from "../../src/http/env.ts";
import { liveFeed, type LiveEvent } from "../../src/live-events.ts";
import { configureLog } from "../../src/log.ts";
import { testApp } from "./app.ts";

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
  const live: LiveEvent[] = [];
  const clock = { now: Date.now() };
  const t = await testApp({
    env: { LOG_LEVEL: "error", ...env },
    live: liveFeed((e) => live.push(e)),
    payments: { timeoutMs: opts.timeoutMs ?? 1500, now: () => clock.now },
  });
  const logs: Array<Record<string, unknown>> = [];
  configureLog({ format: "json", level: "debug", write: (line) => logs.push(JSON.parse(line)) });
  const server: Server<unknown> = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => t.app.fetch(req, { server: srv }) });
  const url = `http://127.0.0.1:${server.port}`;

  const owner = await t.user("owner@example.com", "owner", "owner-password");
  const agent = await t.user("agent@example.com", "agent", "agent-password");
  const other = await t.user("other@example.com", "agent", "other-password");
  const db = t.db;

  return {
    url,
    db,
    services: t.services,
    live,
    logs,
    clock,
    ownerToken: owner.token,
    agentToken: agent.token,
    agentId: agent.id,
    otherAgentToken: other.token,
    api(path, init = {}) {
      const { token, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      headers.set("authorization", `Bearer ${token ?? owner.token}`);
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
