/**
 * POST /api/test-calls and POST /api/test-calls/:callSid/say with `app.request` (no server): what a test call is
 * made of (record, token, stream URL), who may place and type into one, the limits under parallel requests, and
 * bad input.
 */
import { beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { streamToken, verifyStreamToken } from "../../src/auth/stream-token.ts";
import { AdminHub } from "../../src/http/admin-socket.ts";
import type { LiveCallLine } from "../../src/http/env.ts";
import { MAX_LIVE_PER_USER, MAX_LIVE_TOTAL, MAX_SAY_CHARS, SAYS_PER_MINUTE, STARTS_PER_WINDOW } from "../../src/http/routes/test-calls.ts";
import { TWILIO_SID } from "../../src/transports/twilio/protocol.ts";
import { json, SECRET, testApp, type TestApp } from "../support/app.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

/** The live-call registry as the route sees it: calls are "live" when the test says so; typed turns are kept. */
class FakeLine implements LiveCallLine {
  live = new Set<string>();
  typedTurns: Array<{ callSid: string; text: string }> = [];
  refuse = false;
  has(callSid: string) {
    return this.live.has(callSid);
  }
  typed(callSid: string, text: string) {
    if (this.refuse) return false;
    this.typedTurns.push({ callSid, text });
    return true;
  }
}

let t: TestApp;
let line: FakeLine;
beforeEach(async () => {
  t = await testApp();
  line = new FakeLine();
  t.deps.liveCalls = line;
  t.deps.streamToken = (sid) => streamToken(SECRET, sid);
});

const bearer = (token: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...extra });
const place = (token: string, headers: Record<string, string> = {}) => t.request("/api/test-calls", { method: "POST", headers: bearer(token, headers) });
type Placed = { callSid: string; streamUrl: string; token: string };
/** Ends a call's record as the call engine would after its stream. */
const hangUp = (callSid: string) => {
  line.live.delete(callSid);
  t.services.calls.started(callSid, { streamSid: `MZ${callSid.slice(2)}`, mode: "conversation" });
  t.services.calls.ended(callSid, { outcome: "hung_up" });
};

describe("placing a test call", () => {
  test("owner, admin and agent each get a CallSid, a ringing test-call record, a valid stream token and the media URL", async () => {
    for (const role of ["owner", "admin", "agent"] as const) {
      const { token } = await t.user(`${role}@example.com`, role);
      const res = await place(token);
      expect(res.status).toBe(201);
      const body = (await res.json()) as Placed;
      expect(body.callSid).toMatch(/^TC[0-9a-f]{32}$/);
      expect(TWILIO_SID.test(body.callSid)).toBe(true);
      expect(body.streamUrl).toBe("ws://localhost/ws/twilio-media");
      expect(verifyStreamToken(SECRET, body.callSid, body.token)).toBe(true);
      expect(verifyStreamToken(SECRET, "CAother", body.token)).toBe(false);
      const record = t.services.calls.bySid(body.callSid)!;
      expect(record).toMatchObject({ status: "ringing", isTest: true, streamSid: null, endedAt: null, contactId: null });
      // the stream gate lets it connect exactly once
      expect(t.services.calls.hasStreamed(body.callSid)).toBe(false);
    }
    const audit = t.db.$client.query("SELECT count(*) AS n FROM audit_log WHERE action = 'call.test'").get() as { n: number };
    expect(audit.n).toBe(3);
  });

  test("the stream URL is built like the TwiML's: forwarded https → wss://, PUBLIC_BASE_URL with a path prefix wins", async () => {
    const { token } = await t.user("owner@example.com", "owner");
    const forwarded = (await (await place(token, { "x-forwarded-proto": "https", "x-forwarded-host": "agent.example.com" })).json()) as Placed;
    expect(forwarded.streamUrl).toBe("wss://agent.example.com/ws/twilio-media");

    const prefixed = await testApp({ env: { PUBLIC_BASE_URL: "https://biz.example.com/voice/" } });
    prefixed.deps.liveCalls = line;
    const owner = await prefixed.user("owner@example.com", "owner");
    const res = await prefixed.request("/api/test-calls", { method: "POST", headers: bearer(owner.token, { "x-forwarded-host": "evil.example" }) });
    expect(((await res.json()) as Placed).streamUrl).toBe("wss://biz.example.com/voice/ws/twilio-media");
  });

  test("without a session 401; with the cookie from another site 403; the test call is listed among calls as a test", async () => {
    expect((await t.request("/api/test-calls", { method: "POST" })).status).toBe(401);
    const { cookie, token } = await t.user("owner@example.com", "owner");
    const cross = await t.request("/api/test-calls", { method: "POST", headers: { cookie, origin: "https://evil.example", host: "localhost" } });
    expect(cross.status).toBe(403);
    const same = await t.request("/api/test-calls", { method: "POST", headers: { cookie, origin: "http://localhost", host: "localhost" } });
    expect(same.status).toBe(201);
    const { callSid } = (await same.json()) as Placed;
    const tests = (await (await t.request("/api/calls?isTest=true", { headers: bearer(token) })).json()) as { calls: Array<{ callSid: string; isTest: boolean }> };
    expect(tests.calls.map((c) => c.callSid)).toEqual([callSid]);
    const real = (await (await t.request("/api/calls?isTest=false", { headers: bearer(token) })).json()) as { calls: unknown[] };
    expect(real.calls).toEqual([]);
  });
});

describe("limits hold under parallel requests", () => {
  test(`at most ${MAX_LIVE_PER_USER} live test calls per user; another user is not affected; a call that ended frees its place`, async () => {
    const a = await t.user("a@example.com", "agent");
    const b = await t.user("b@example.com", "agent");
    const burst = await Promise.all(Array.from({ length: 8 }, () => place(a.token)));
    expect(burst.filter((r) => r.status === 201).length).toBe(MAX_LIVE_PER_USER);
    const refused = burst.filter((r) => r.status === 429);
    expect(refused.length).toBe(8 - MAX_LIVE_PER_USER);
    expect(refused[0]!.headers.get("retry-after")).toBe("10");
    expect(((await refused[0]!.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect(t.db.$client.query("SELECT count(*) AS n FROM calls WHERE is_test = 1").get()).toEqual({ n: MAX_LIVE_PER_USER });
    expect((await place(b.token)).status).toBe(201);

    const placed = await Promise.all(burst.filter((r) => r.status === 201).map((r) => r.json() as Promise<Placed>));
    // one is live (its stream started), one is over: only the ended one frees a place
    line.live.add(placed[0]!.callSid);
    t.services.calls.started(placed[0]!.callSid, { streamSid: "MZlive", mode: "conversation" });
    hangUp(placed[1]!.callSid);
    expect((await place(a.token)).status).toBe(201);
    expect((await place(a.token)).status).toBe(429);
  });

  test(`at most ${MAX_LIVE_TOTAL} test calls on the whole server`, async () => {
    const users = await Promise.all(Array.from({ length: 5 }, (_, i) => t.user(`u${i}@example.com`, "admin")));
    const all = await Promise.all(users.flatMap((u) => Array.from({ length: MAX_LIVE_PER_USER }, () => place(u.token))));
    expect(all.filter((r) => r.status === 201).length).toBe(MAX_LIVE_TOTAL);
    expect(all.filter((r) => r.status === 429).length).toBe(users.length * MAX_LIVE_PER_USER - MAX_LIVE_TOTAL);
  });

  test(`at most ${STARTS_PER_WINDOW} new test calls per user in ten minutes, even one at a time`, async () => {
    const { token } = await t.user("owner@example.com", "owner");
    for (let i = 0; i < STARTS_PER_WINDOW; i++) {
      const res = await place(token);
      expect(res.status).toBe(201);
      hangUp(((await res.json()) as Placed).callSid);
    }
    const res = await place(token);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(500);
  });
});

describe("typed turns", () => {
  test("the user who placed the call types into it once it is live; the text reaches the call as given", async () => {
    const owner = await t.user("owner@example.com", "owner");
    const { callSid } = (await (await place(owner.token)).json()) as Placed;
    const say = (text: unknown, token = owner.token, sid = callSid) => t.request(`/api/test-calls/${sid}/say`, json({ text }, bearer(token)));

    const early = await say("שלום");
    expect(early.status).toBe(409); // not connected yet
    line.live.add(callSid);
    const res = await say("  אני צריך אינסטלטור  ");
    expect(res.status).toBe(202);
    expect(line.typedTurns).toEqual([{ callSid, text: "אני צריך אינסטלטור" }]);

    const other = await t.user("admin@example.com", "admin");
    expect((await say("hi", other.token)).status).toBe(404); // not theirs, whatever their role
    expect((await say("hi", owner.token, "TCnope")).status).toBe(404);
    line.refuse = true;
    expect((await say("hi")).status).toBe(409);
  });

  test("bad input: empty or too long text 422 naming the field; not JSON 415; malformed JSON 400", async () => {
    const owner = await t.user("owner@example.com", "owner");
    const { callSid } = (await (await place(owner.token)).json()) as Placed;
    line.live.add(callSid);
    const url = `/api/test-calls/${callSid}/say`;
    for (const body of [{ text: "   " }, { text: "x".repeat(MAX_SAY_CHARS + 1) }, { text: 5 }, {}]) {
      const res = await t.request(url, json(body, bearer(owner.token)));
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe("text");
    }
    expect((await t.request(url, { method: "POST", headers: bearer(owner.token, { "content-type": "text/plain" }), body: "hi" })).status).toBe(415);
    expect((await t.request(url, { method: "POST", headers: bearer(owner.token, { "content-type": "application/json" }), body: "{" })).status).toBe(400);
    expect(line.typedTurns).toEqual([]);
  });

  test(`at most ${SAYS_PER_MINUTE} typed turns a minute per call, in parallel too`, async () => {
    const owner = await t.user("owner@example.com", "owner");
    const { callSid } = (await (await place(owner.token)).json()) as Placed;
    line.live.add(callSid);
    const all = await Promise.all(Array.from({ length: SAYS_PER_MINUTE + 5 }, (_, i) => t.request(`/api/test-calls/${callSid}/say`, json({ text: `turn ${i}` }, bearer(owner.token)))));
    expect(all.filter((r) => r.status === 202).length).toBe(SAYS_PER_MINUTE);
    expect(all.filter((r) => r.status === 429).length).toBe(5);
    expect(line.typedTurns.length).toBe(SAYS_PER_MINUTE);
  });
});

describe("the test call's live events follow the user who placed it", () => {
  const hubWith = (owners: Record<number, number>) => {
    const sent: Array<{ topic: string; type: string }> = [];
    const hub = new AdminHub((contactId) => owners[contactId] ?? null, 60_000);
    hub.attach({ publish: (topic: string, json: string) => void sent.push({ topic, type: JSON.parse(json).type }) } as never);
    hub.stop();
    return { hub, sent };
  };
  const event = (type: "call.started" | "call.turn" | "call.ended", callSid: string, contactId: number | null = null) => ({ type, at: "", contactId, data: { callSid } });

  test("a contact-less test call reaches staff and the agent who placed it, until it ends; other calls do not", () => {
    const { hub, sent } = hubWith({});
    hub.follow("TCmine", 7);
    hub.deliver(event("call.turn", "TCmine"));
    hub.deliver(event("call.turn", "CAother"));
    hub.deliver(event("call.ended", "TCmine"));
    hub.deliver(event("call.turn", "TCmine")); // after the end: staff only
    expect(sent).toEqual([
      { topic: "live:staff", type: "call.turn" },
      { topic: "live:user:7", type: "call.turn" },
      { topic: "live:staff", type: "call.turn" },
      { topic: "live:staff", type: "call.ended" },
      { topic: "live:user:7", type: "call.ended" },
      { topic: "live:staff", type: "call.turn" },
    ]);
  });

  test("when the call's contact is the placing agent's own, the agent gets each event once", () => {
    const { hub, sent } = hubWith({ 3: 7 });
    hub.follow("TCmine", 7);
    hub.deliver(event("call.turn", "TCmine", 3));
    expect(sent.filter((s) => s.topic === "live:user:7")).toHaveLength(1);
  });
});
