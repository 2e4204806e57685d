/**
 * GET /api/stats/overview: today's calls, answered and missed calls, new leads, tasks, reply latency p50/p95 per
 * local day and calls per local hour — counted in the asked time zone and within the asker's scope.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { percentile, StatsService } from "../../src/crm/stats.ts";
import { localParts, zonedTime } from "../../src/crm/time-zone.ts";
import { calls, callTurns, contacts, tasks } from "../../src/db/schema.ts";
import { testApp, type TestApp } from "../support/app.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

const TZ = "Asia/Jerusalem";
let t: TestApp;
let owner: { id: number; token: string };
let agent: { id: number; token: string };
let agent2: { id: number; token: string };

const get = async (who: { token: string } | null, query = "") => {
  const res = await t.request(`/api/stats/overview${query}`, { headers: who ? { authorization: `Bearer ${who.token}` } : {} });
  return { status: res.status, body: (await res.json()) as any };
};

/** A time zone where it is now between 02:00 and 21:59, so "an hour ago" and "now" are both today. */
function middayZone(now = new Date()): string {
  for (const tz of ["UTC", "Asia/Tokyo", "America/New_York", "Asia/Jerusalem", "Pacific/Auckland"]) {
    const h = localParts(tz, now).hour;
    if (h >= 2 && h <= 21) return tz;
  }
  throw new Error("no zone at midday");
}

let seq = 0;
function call(o: { contactId?: number | null; at: Date; status?: string; outcome?: string | null; mode?: "conversation" | "voicemail" | null; isTest?: boolean; ended?: boolean }) {
  return t.db
    .insert(calls)
    .values({
      callSid: `CA${++seq}`,
      contactId: o.contactId ?? null,
      fromNumber: "+972501234567",
      status: o.status ?? "completed",
      outcome: o.outcome ?? null,
      mode: o.mode === undefined ? "conversation" : o.mode,
      startedAt: o.at,
      endedAt: o.ended === false ? null : new Date(o.at.getTime() + 60_000),
      isTest: o.isTest ?? false,
    })
    .returning()
    .get();
}
const turn = (callId: number, role: "caller" | "agent", at: Date, latencyMs?: number) => t.db.insert(callTurns).values({ callId, role, text: role, at, latencyMs }).run();
const contact = (name: string, ownerId: number | null, createdAt = new Date()) => t.db.insert(contacts).values({ name, ownerId, createdAt }).returning().get().id;

beforeAll(async () => {
  t = await testApp();
  owner = await t.user("owner@example.com", "owner");
  agent = await t.user("agent@example.com", "agent");
  agent2 = await t.user("agent2@example.com", "agent");
}, 30_000);

describe("missed calls: what counts", () => {
  const now = new Date("2025-03-10T12:00:00Z");
  const base = { status: "completed", outcome: "caller_hung_up", mode: "conversation", endedAt: now, startedAt: new Date(now.getTime() - 120_000), callerSpoke: true };
  test.each([
    ["a conversation", {}, undefined],
    ["voicemail (the mode)", { mode: "voicemail", outcome: "caller_hung_up" }, "voicemail"],
    ["voicemail (the outcome)", { outcome: "voicemail" }, "voicemail"],
    ["the caller never said anything", { callerSpoke: false }, "silent"],
    ["transferred before speaking is not missed", { callerSpoke: false, outcome: "transferred" }, undefined],
    ["a failed call", { status: "failed", outcome: "error" }, "failed"],
    ["still ringing after a minute", { status: "ringing", endedAt: null }, "unanswered"],
    ["ringing for a few seconds is not missed yet", { status: "ringing", endedAt: null, startedAt: new Date(now.getTime() - 5_000) }, undefined],
    ["in progress is never missed", { status: "in-progress", endedAt: null, callerSpoke: false }, undefined],
  ] as const)("%s", (_name, patch, expected) => {
    expect(StatsService.missedReason({ ...base, ...patch }, now)).toBe(expected);
  });
});

test("percentile: nearest rank", () => {
  expect(percentile([], 50)).toBeNull();
  expect(percentile([700], 95)).toBe(700);
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  expect(percentile(hundred, 50)).toBe(50);
  expect(percentile(hundred, 95)).toBe(95);
  expect(percentile([100, 200, 300, 400], 50)).toBe(200);
});

describe("the service, on a fixed clock in Asia/Jerusalem", () => {
  // 2025-03-27 is the Thursday before Israel's clocks move forward (Friday 28 March, 02:00 → 03:00)
  const now = zonedTime(TZ, 2025, 3, 29, 15, 30); // Saturday 15:30 local
  const local = (d: number, h: number, m = 0) => zonedTime(TZ, 2025, 3, d, h, m);
  let stats: StatsService;
  let mine = 0;
  beforeAll(() => {
    stats = t.services.stats;
    mine = contact("לקוח של הסוכן", agent.id, local(29, 9));
    const theirs = contact("Theirs", agent2.id, local(28, 9));
    contact("Nobody's", null, local(29, 1));
    contact("Yesterday's", null, local(28, 23, 59));
    // today: an answered call (2 agent turns), a voicemail, a silent one, one in progress, a test call
    const a = call({ contactId: mine, at: local(29, 10, 15) }).id;
    turn(a, "agent", local(29, 10, 15)); // the greeting: no latency
    turn(a, "caller", local(29, 10, 16));
    turn(a, "agent", local(29, 10, 16), 800);
    turn(a, "caller", local(29, 10, 17));
    turn(a, "agent", local(29, 10, 17), 1200);
    call({ contactId: theirs, at: local(29, 10, 40), mode: "voicemail", outcome: "voicemail" });
    call({ contactId: null, at: local(29, 14, 5) }); // nobody spoke
    call({ contactId: mine, at: local(29, 15, 29), status: "in-progress", ended: false });
    const test1 = call({ contactId: mine, at: local(29, 11), isTest: true }).id;
    turn(test1, "agent", local(29, 11), 5000);
    // Friday (the clock change) at 01:30 and 03:30 local; Thursday with its latencies
    call({ contactId: theirs, at: local(28, 1, 30) });
    call({ contactId: theirs, at: local(28, 3, 30) });
    const thu = call({ contactId: theirs, at: local(27, 10) }).id;
    for (const ms of [400, 500, 600, 700, 2000]) turn(thu, "agent", local(27, 10, 5), ms);
    turn(thu, "caller", local(27, 10, 4));
    // before the window
    call({ contactId: mine, at: local(20, 10) });
    // tasks: one overdue, one due later today, one done
    t.db.insert(tasks).values({ title: "overdue", dueAt: local(29, 9), assigneeId: owner.id }).run();
    t.db.insert(tasks).values({ title: "later", dueAt: local(29, 18), contactId: mine, assigneeId: agent.id }).run();
    t.db.insert(tasks).values({ title: "done", dueAt: local(29, 8), status: "done", doneAt: local(29, 8) }).run();
  });

  test("owner: today's numbers, missed calls with reasons, tasks", () => {
    const o = stats.overview({ days: 3, tz: TZ, includeTests: false }, { userId: owner.id, role: "owner" }, now);
    expect(o.tz).toBe(TZ);
    expect(o.from).toEqual(local(27, 0));
    expect(o.to).toEqual(local(30, 0));
    expect(o.today).toEqual({ date: "2025-03-29", calls: 4, answered: 2, missed: 2, newLeads: 2, inProgress: 1 });
    expect(o.missedCalls.map((m) => m.reason)).toEqual(["silent", "voicemail"]); // newest first
    expect(o.missedCalls[1]).toMatchObject({ contactName: "Theirs", fromNumber: "+972501234567" });
    expect(o.tasks).toEqual({ open: 2, overdue: 1, today: 2 }); // due today counts the one already overdue this morning
  });

  test("latency per local day: nearest-rank p50/p95 of the agent's measured replies; empty days are null", () => {
    const o = stats.overview({ days: 3, tz: TZ, includeTests: false }, { userId: owner.id, role: "owner" }, now);
    expect(o.latency).toEqual([
      { date: "2025-03-27", turns: 5, p50: 600, p95: 2000 },
      { date: "2025-03-28", turns: 0, p50: null, p95: null },
      { date: "2025-03-29", turns: 2, p50: 800, p95: 1200 },
    ]);
    // test calls counted only when asked for
    const withTests = stats.overview({ days: 1, tz: TZ, includeTests: true }, { userId: owner.id, role: "owner" }, now);
    expect(withTests.latency).toEqual([{ date: "2025-03-29", turns: 3, p50: 1200, p95: 5000 }]);
    expect(withTests.today.calls).toBe(5);
  });

  test("calls per local hour, across the clock change; the average is over the window's earlier days", () => {
    const o = stats.overview({ days: 3, tz: TZ, includeTests: false }, { userId: owner.id, role: "owner" }, now);
    const today = Array(24).fill(0);
    today[10] = 2;
    today[14] = 1;
    today[15] = 1;
    expect(o.callsByHour.today).toEqual(today);
    const avg = Array(24).fill(0);
    avg[1] = 0.5; // Friday 01:30
    avg[3] = 0.5; // Friday 03:30 (the hour after 02:00 that did not exist)
    avg[10] = 0.5; // Thursday 10:00
    expect(o.callsByHour.average).toEqual(avg);
  });

  test("an agent's numbers cover only their contacts", () => {
    const o = stats.overview({ days: 3, tz: TZ, includeTests: false }, { userId: agent.id, role: "agent" }, now);
    expect(o.today).toEqual({ date: "2025-03-29", calls: 2, answered: 2, missed: 0, newLeads: 1, inProgress: 1 });
    expect(o.missedCalls).toEqual([]);
    expect(o.tasks).toEqual({ open: 1, overdue: 0, today: 1 });
    expect(o.latency.map((d) => d.turns)).toEqual([0, 0, 2]);
    const two = stats.overview({ days: 3, tz: TZ, includeTests: false }, { userId: agent2.id, role: "agent" }, now);
    expect(two.today).toMatchObject({ calls: 1, missed: 1, newLeads: 0 });
    expect(two.latency.map((d) => d.turns)).toEqual([5, 0, 0]);
  });
});

describe("GET /api/stats/overview", () => {
  test("needs a session", async () => {
    expect((await get(null)).status).toBe(401);
  });

  test.each([
    ["days=0", "days"],
    ["days=91", "days"],
    ["days=two", "days"],
    ["tz=Mars/Olympus", "tz"],
    ["includeTests=maybe", "includeTests"],
  ])("?%s → 422 naming %s", async (query, field) => {
    const { status, body } = await get(owner, `?${query}`);
    expect(status).toBe(422);
    expect(body.error.field).toBe(field);
  });

  test("today's calls as they are now, in the asked zone; default 14 days; an agent sees their own", async () => {
    const tz = middayZone();
    const now = Date.now();
    const mine = contact("Route test", agent.id);
    const c = call({ contactId: mine, at: new Date(now - 1000), mode: "voicemail", outcome: "voicemail" });
    call({ contactId: null, at: new Date(now - 2000) });
    turn(c.id, "agent", new Date(now - 500), 640);
    const o = await get(owner, `?tz=${encodeURIComponent(tz)}`);
    expect(o.status).toBe(200);
    expect(o.body.tz).toBe(tz);
    expect(o.body.latency).toHaveLength(14);
    expect(o.body.callsByHour.today).toHaveLength(24);
    expect(o.body.today.calls).toBe(2);
    expect(o.body.latency.at(-1)).toMatchObject({ turns: 1, p50: 640, p95: 640 });
    expect(o.body.missedCalls.map((m: { callSid: string }) => m.callSid)).toEqual([c.callSid, `CA${seq}`]);
    expect(o.body.callsByHour.today.reduce((a: number, b: number) => a + b, 0)).toBe(2);
    const a = await get(agent, `?tz=${encodeURIComponent(tz)}&days=1`);
    expect(a.body.today).toMatchObject({ calls: 1, missed: 1 });
    expect(a.body.missedCalls).toEqual([expect.objectContaining({ callSid: c.callSid, contactName: "Route test", reason: "voicemail" })]);
    expect((await get(agent2, `?tz=${encodeURIComponent(tz)}&days=1`)).body.today.calls).toBe(0);
  });

  test("without tz: the business's time zone", async () => {
    const put = await t.request("/api/settings/business", { method: "PUT", headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" }, body: JSON.stringify({ timezone: "Asia/Tokyo" }) });
    expect(put.status).toBe(200);
    expect((await get(owner)).body.tz).toBe("Asia/Tokyo");
  });
});

test("GET /api/auth/session answers 200 with the user or null, never 401", async () => {
  const signedOut = await t.request("/api/auth/session");
  expect(signedOut.status).toBe(200);
  expect(await signedOut.json()).toEqual({ user: null });
  const bad = await t.request("/api/auth/session", { headers: { authorization: "Bearer not-a-token" } });
  expect(bad.status).toBe(200);
  expect(await bad.json()).toEqual({ user: null });
  const signedIn = await t.request("/api/auth/session", { headers: { authorization: `Bearer ${agent.token}` } });
  expect(((await signedIn.json()) as any).user).toMatchObject({ id: agent.id, email: "agent@example.com", role: "agent" });
});
