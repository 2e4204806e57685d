/** The calls API within a user's scope (an agent: only their contacts' calls, 404 for others) and the calls CSV export. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { runAppScenarios, startHarness, type Harness } from "./crm-harness.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const mine = (await h.json("owner", "POST", "/api/contacts", { name: "לקוח שלי", phone: "0502000001", ownerId: h.ids.agent })).body.id;
  const theirs = (await h.json("owner", "POST", "/api/contacts", { name: "Theirs", phone: "0502000002", ownerId: h.ids.agent2 })).body.id;
  const wav = join(h.server.dataDir, "CAtheirs.wav");
  writeFileSync(wav, new Uint8Array(44));
  const at = (iso: string) => Date.parse(iso);
  h.sql("INSERT INTO calls (call_sid, contact_id, from_number, status, outcome, started_at, duration_s, recording_path) VALUES ('CAmine', ?, '+972502000001', 'completed', 'lead_saved', ?, 61, ?)", mine, at("2025-03-01T10:00:00Z"), wav);
  h.sql("INSERT INTO calls (call_sid, contact_id, from_number, status, outcome, started_at, recording_path) VALUES ('CAtheirs', ?, '+972502000002', 'completed', 'hung_up', ?, ?)", theirs, at("2025-03-02T10:00:00Z"), wav);
  h.sql("INSERT INTO calls (call_sid, contact_id, status, started_at) VALUES ('CAnobody', NULL, 'failed', ?)", at("2025-03-03T10:00:00Z"));
  h.sql("INSERT INTO calls (call_sid, contact_id, status, started_at, is_test) VALUES ('CAtest', ?, 'completed', ?, 1)", mine, at("2025-03-04T10:00:00Z"));
  h.sql("INSERT INTO call_turns (call_id, role, text, at) SELECT id, 'caller', 'שלום', started_at FROM calls WHERE call_sid = 'CAtheirs'");
}, 30_000); // the server, four users and their password hashes take a while on a busy machine
afterAll(() => h.stop());

const sids = async (who: "owner" | "agent" | "agent2", query = "") => ((await h.json(who, "GET", `/api/calls${query}`)).body.calls as Array<{ callSid: string }>).map((c) => c.callSid);

describe("scope", () => {
  test("owners and admins list every call; an agent only their contacts' (paged totals follow)", async () => {
    expect(await sids("owner")).toEqual(["CAtest", "CAnobody", "CAtheirs", "CAmine"]);
    expect(await sids("agent")).toEqual(["CAtest", "CAmine"]);
    expect((await h.json("agent", "GET", "/api/calls?limit=1")).body).toMatchObject({ total: 2, page: 1, limit: 1 });
    expect(await sids("agent2")).toEqual(["CAtheirs"]);
    expect(await sids("owner", "?isTest=true")).toEqual(["CAtest"]);
    expect(await sids("agent", "?isTest=false")).toEqual(["CAmine"]);
  });

  runAppScenarios(() => h, [
    { name: "agent reads their call", as: "agent", url: "/api/calls/CAmine", expectedStatus: 200, expectedContent: ['"callSid":"CAmine"', '"recordingUrl":"/api/calls/CAmine/recording"'] },
    { name: "agent reading another's call → 404, nothing of it shown", as: "agent", url: "/api/calls/CAtheirs", expectedStatus: 404, notExpectedContent: ["שלום", "+972502000002"] },
    { name: "agent reading a call with no contact → 404", as: "agent", url: "/api/calls/CAnobody", expectedStatus: 404 },
    { name: "a call that does not exist answers the same 404", as: "agent", url: "/api/calls/CAnothing", expectedStatus: 404 },
    { name: "agent fetching another's recording → 404", as: "agent", url: "/api/calls/CAtheirs/recording", expectedStatus: 404 },
    { name: "the owner fetches it", as: "owner", url: "/api/calls/CAtheirs/recording", expectedStatus: 200 },
    { name: "admin reads any call", as: "admin", url: "/api/calls/CAtheirs", expectedStatus: 200, expectedContent: ["שלום"] },
    { name: "calls need a session", as: "nobody", url: "/api/calls", expectedStatus: 401 },
    { name: "a bad isTest → 422 naming it", as: "owner", url: "/api/calls?isTest=maybe", expectedStatus: 422, expectedContent: ['"field":"isTest"'] },
  ]);
});

describe("CSV export", () => {
  test("UTF-8 with BOM, the contact's Hebrew name, times in the business's zone, filters and the user's scope", async () => {
    await h.json("owner", "PUT", "/api/settings/business", { timezone: "Asia/Jerusalem" });
    const res = await h.req("owner", "GET", "/api/calls.csv?isTest=false");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/filename="calls-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parse(new TextDecoder().decode(bytes), { bom: true }) as string[][];
    expect(header).toEqual(["callSid", "startedAt", "answeredAt", "endedAt", "durationS", "direction", "status", "outcome", "mode", "fromNumber", "toNumber", "contactId", "contactName", "isTest", "hasRecording"]);
    expect(rows.map((r) => r[0])).toEqual(["CAnobody", "CAtheirs", "CAmine"]);
    const mine = Object.fromEntries(header!.map((k, i) => [k, rows[2]![i]]));
    // 10:00 UTC on 1 March is 12:00 in Israel (winter time)
    expect(mine).toMatchObject({ startedAt: "2025-03-01 12:00", durationS: "61", outcome: "lead_saved", fromNumber: "+972502000001", contactName: "לקוח שלי", isTest: "false", hasRecording: "true" });

    const agent = parse(await (await h.req("agent", "GET", "/api/calls.csv")).text(), { bom: true }) as string[][];
    expect(agent.slice(1).map((r) => r[0])).toEqual(["CAtest", "CAmine"]);
    expect((await h.req("nobody", "GET", "/api/calls.csv")).status).toBe(401);
    expect(h.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'call.export'")).toEqual([{ n: 2 }]);
  });
});
