/**
 * The CRM API under test: the real application (start() — the same wiring as production) over a fresh data
 * folder, called with `app.request` (no network) as an owner, an admin and two agents.
 */
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
    stop: () => server.stop(),
  };
}
