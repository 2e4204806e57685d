import { expect, test } from "bun:test";
import { listenEarly } from "../../src/early-server.ts";

test("before the application loads: /healthz ok, /readyz pending, the rest 503 starting; then the app is swapped in", async () => {
  const server = listenEarly(0, "127.0.0.1");
  try {
    const base = `http://127.0.0.1:${server.port}`;
    expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok");
    expect(((await (await fetch(`${base}/readyz`)).json()) as { db: string }).db).toBe("pending");
    const other = await fetch(`${base}/webhook/incoming_call`, { method: "POST" });
    expect(other.status).toBe(503);
    expect(other.headers.get("retry-after")).toBe("1");
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    server.reload({ fetch: () => new Response("app"), websocket: { message() {} } });
    expect(await (await fetch(`${base}/anything`)).text()).toBe("app");
  } finally {
    server.stop(true);
  }
});
