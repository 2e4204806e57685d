/**
 * The CRM API under test: the real application (start() — the same wiring as production) over a fresh data
 * folder, called with `app.request` (no network) as an owner, an admin and two agents.
 */
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { startInProcess } from "../support/server.ts";

export type Who = "owner" | "admin" | "agent" | "agent2" | "nobody";

export interface Harness {
  server: Awaited<ReturnType<typeof startInProcess>>;
  ids: Record<Exclude<Who, "nobody">, number>;
  tokens: Record<Exclude<Who, "nobody">, string>;
  /** A request as `who`; JSON bodies are serialised, anything else (string, FormData, bytes) sent as is. */
  req(who: Who, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** `req` and the parsed JSON, with the status. */
  json(who: Who, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A second connection to the server's database, to put rows other parts of the system write (messages, payments). */
  sql(query: string, ...params: Array<string | number | null>): unknown[];
  stop(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const server = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password", ...env });
  const app = server.app;
  const login = async (email: string, password: string) => {
    const res = await app.request("/api/auth/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
    return ((await res.json()) as { token: string; user: { id: number } });
  };
  const owner = await login("owner@example.com", "owner-password");
  const tokens = { owner: owner.token } as Harness["tokens"];
  const ids = { owner: owner.user.id } as Harness["ids"];
  for (const [who, role] of [["admin", "admin"], ["agent", "agent"], ["agent2", "agent"]] as const) {
    const email = `${who}@example.com`;
    await app.request("/api/users", {
      method: "POST",
      headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
      body: JSON.stringify({ email, password: `${who}-password`, role, name: who === "agent" ? "Agent One" : undefined }),
    });
    const s = await login(email, `${who}-password`);
    tokens[who] = s.token;
    ids[who] = s.user.id;
  }
  let db: Database | undefined;
  const req: Harness["req"] = (who, method, path, body, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    if (who !== "nobody") h.authorization = `Bearer ${tokens[who]}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData || typeof body === "string" || body instanceof Uint8Array) payload = body as BodyInit;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    return Promise.resolve(app.request(path, { method, headers: h, body: payload }));
  };
  return {
    server,
    ids,
    tokens,
    req,
    async json(who, method, path, body) {
      const res = await req(who, method, path, body);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    sql(query, ...params) {
      if (!db) {
        db = new Database(`${server.dataDir}/agentlocator.db`);
        db.run("PRAGMA foreign_keys = ON");
        db.run("PRAGMA busy_timeout = 5000");
      }
      return db.query(query).all(...params);
    },
    stop: async () => {
      db?.close();
      await server.stop();
    },
  };
}

/** A table-driven API case (PocketBase's ApiScenario), run with `app.request` as one of the harness's users. */
export interface AppScenario {
  name: string;
  as: Who;
  method?: string;
  url: string | (() => string);
  body?: unknown | (() => unknown);
  headers?: Record<string, string>;
  expectedStatus: number;
  /** Substrings the response body must contain. */
  expectedContent?: string[];
  notExpectedContent?: string[];
}

export function runAppScenarios(h: () => Harness, scenarios: AppScenario[]) {
  for (const s of scenarios) {
    test(s.name, async () => {
      const url = typeof s.url === "function" ? s.url() : s.url;
      const body = typeof s.body === "function" ? (s.body as () => unknown)() : s.body;
      const res = await h().req(s.as, s.method ?? "GET", url, body, s.headers);
      const text = await res.text();
      expect({ status: res.status, text }).toMatchObject({ status: s.expectedStatus });
      for (const needle of s.expectedContent ?? []) expect(text).toContain(needle);
      for (const needle of s.notExpectedContent ?? []) expect(text).not.toContain(needle);
    });
  }
}
