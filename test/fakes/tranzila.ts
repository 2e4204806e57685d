/**
 * A real HTTP server standing in for Tranzila's API (handshake v2) and Reports API (transaction lookup), on one
 * base URL as TRANZILA_API_URL describes. Every request must carry the four API headers; the stand-in recomputes
 * the access token — hex HMAC-SHA256(key = secret + request-time + nonce, message = app key) — and checks the
 * nonce (80 hex characters) and the request time (seconds by default; `timeUnit = "ms"` to play the other reading
 * of Tranzila's docs). Transactions are added by the test with `addTransaction`.
 */
import type { Server } from "bun";
import { createHmac } from "node:crypto";

export type Fault = "500" | "hang";

export class FakeTranzila {
  readonly terminal = "faketerm";
  readonly appKey = "fake-app-key";
  readonly secret = "fake-secret";
  timeUnit: "s" | "ms" = "s";
  /** Answer the handshake the v1 way (`thtk=…` as text) instead of JSON. */
  textHandshake = false;
  private server?: Server<unknown>;
  readonly requests: Array<{ path: string; headers: Record<string, string>; body: string; authOk: boolean }> = [];
  readonly handshakes: Array<{ terminal_name: string; sum: unknown; request_params?: Record<string, unknown>; thtk: string }> = [];
  readonly violations: string[] = [];
  readonly transactions = new Map<string, Record<string, unknown>>();
  reportCalls = 0;
  private faults: Array<{ prefix: string; fault: Fault; times: number }> = [];
  private seq = 0;

  get url(): string {
    return `http://127.0.0.1:${this.server!.port}`;
  }

  start(): this {
    this.server = Bun.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: 0, fetch: (req) => this.handle(req) });
    return this;
  }

  /** The violations recorded so far, emptied: every file using the stand-in asserts `[]` after each test. */
  takeViolations(): string[] {
    return this.violations.splice(0);
  }

  stop() {
    this.server?.stop(true);
  }

  failNext(prefix: string, fault: Fault, times = 1) {
    this.faults.push({ prefix, fault, times });
  }

  /** A transaction in the terminal's report, as the Reports API lists it. */
  addTransaction(row: { index: string; amount: string; currency?: string; reference?: string; response?: string } & Record<string, unknown>) {
    const { reference, response, ...rest } = row;
    this.transactions.set(row.index, {
      transaction_date: "2026-07-01",
      transaction_time: "12:00:00",
      currency: "1",
      processor_response_code: response ?? "000",
      tranmode: "A",
      txn_type: "DEBIT",
      child_terminal: this.terminal,
      ...(reference ? { request_params: { al_ref: reference } } : {}),
      ...rest,
    });
  }

  private checkAuth(req: Request): boolean {
    const key = req.headers.get("x-tranzila-api-app-key");
    const time = req.headers.get("x-tranzila-api-request-time") ?? "";
    const nonce = req.headers.get("x-tranzila-api-nonce") ?? "";
    const token = req.headers.get("x-tranzila-api-access-token");
    if (key !== this.appKey || !/^[0-9a-f]{80}$/.test(nonce)) return false;
    const now = this.timeUnit === "s" ? Date.now() / 1000 : Date.now();
    const skew = this.timeUnit === "s" ? 300 : 300_000;
    if (!/^\d+$/.test(time) || Math.abs(Number(time) - now) > skew) return false;
    const expected = createHmac("sha256", this.secret + time + nonce)
      .update(this.appKey)
      .digest("hex");
    return token === expected;
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const body = await req.text();
    const authOk = this.checkAuth(req);
    this.requests.push({ path: url.pathname, headers: Object.fromEntries(req.headers), body, authOk });
    const fault = this.faults.find((f) => url.pathname.startsWith(f.prefix) && f.times > 0);
    if (fault) {
      fault.times--;
      if (fault.fault === "hang") return new Promise<Response>(() => {});
      return new Response("<html>502 Bad Gateway</html>", { status: 502 });
    }
    if (!authOk) return Response.json({ error_code: 401, message: "Unauthorized" }, { status: 401 });
    if (req.headers.get("content-type") !== "application/json") this.violations.push(`${url.pathname}: content-type ${req.headers.get("content-type")}`);
    const json = JSON.parse(body) as Record<string, unknown>;
    if (json.terminal_name !== this.terminal) return Response.json({ error_code: 20001, message: "terminal not found" });
    if (req.method === "POST" && url.pathname === "/v2/handshake/create") {
      if (typeof json.sum !== "number" || !(json.sum > 0)) return Response.json({ error_code: 20002, message: "sum must be a positive number" });
      const thtk = `thtk${String(++this.seq).padStart(8, "0")}fake`;
      this.handshakes.push({ terminal_name: json.terminal_name as string, sum: json.sum, request_params: json.request_params as Record<string, unknown>, thtk });
      if (this.textHandshake) return new Response(`thtk=${thtk}`, { headers: { "content-type": "text/plain" } });
      return Response.json({ error_code: 0, message: "Success", thtk });
    }
    if (req.method === "POST" && url.pathname === "/v1/transaction") {
      this.reportCalls++;
      const row = this.transactions.get(String(json.transaction_index));
      if (typeof json.transaction_index !== "number") this.violations.push(`transaction_index ${JSON.stringify(json.transaction_index)}`);
      return Response.json(row ? { transactions: [{ index: String(json.transaction_index), ...row }], total: 1, rows: 1 } : { transactions: [], total: 0, rows: 0 });
    }
    return Response.json({ error_code: 404, message: "not found" }, { status: 404 });
  }
}
