import { expect, test } from "bun:test";
import { listenEarly } from "../../src/early-server.ts";

test("before the application loads: /healthz ok, /readyz pending, other requests wait and are answered by the application", async () => {
  const early = listenEarly(0, "127.0.0.1");
  try {
    const base = `http://127.0.0.1:${early.server.port}`;
    expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok");
    expect(((await (await fetch(`${base}/readyz`)).json()) as { db: string }).db).toBe("pending");
    // a webhook and a login arrive while the application is loading: they wait, bodies intact
    let settled = 0;
    const webhook = fetch(`${base}/webhook/incoming_call`, { method: "POST", body: "CallSid=CA1" }).finally(() => settled++);
    const login = fetch(`${base}/api/auth/login`, { method: "POST", body: '{"email":"a"}' }).finally(() => settled++);
    expect((await fetch(`${base}/healthz`)).status).toBe(200); // the probe is not held up by them
    expect(settled).toBe(0);
    const app = async (req: Request) => new Response(`app ${new URL(req.url).pathname} ${await req.text()}`);
    early.server.reload({ fetch: app, websocket: { message() {} } });
    early.ready(app);
    expect(await (await webhook).text()).toBe("app /webhook/incoming_call CallSid=CA1");
    expect(await (await login).text()).toBe('app /api/auth/login {"email":"a"}');
    // and from now on the application answers directly
    expect(await (await fetch(`${base}/anything`)).text()).toBe("app /anything ");
  } finally {
    early.server.stop(true);
  }
});

test("a request still waiting after the bound gets 503 with Retry-After, never hangs", async () => {
  const early = listenEarly(0, "127.0.0.1", 100);
  try {
    const res = await fetch(`http://127.0.0.1:${early.server.port}/version`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
  } finally {
    early.server.stop(true);
  }
});
