/**
 * Hostile input on Twilio's routes and downloads (`app.request`, no server; no TWILIO_AUTH_TOKEN and no
 * PUBLIC_BASE_URL, so the base URL comes from the request's headers).
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testApp, type TestApp } from "../support/app.ts";
import { runScenarios } from "../support/scenario.ts";
import { tempDir } from "../support/server.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let t: TestApp;
let owner = "";
beforeAll(async () => {
  t = await testApp();
  owner = (await t.user("owner@example.com", "owner")).token;
});
const target = { request: (path: string, init: RequestInit) => t.request(path, init) };
const form = (p: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: "POST",
  url: "/webhook/incoming_call",
  headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  rawBody: new URLSearchParams(p).toString(),
});

describe("incoming_call input", () => {
  runScenarios(target, [
    { name: "a normal call → TwiML", ...form({ CallSid: "CAok1" }, { host: "agent.example.com", "x-forwarded-proto": "https" }), expectedStatus: 200, expectedContent: ['url="wss://agent.example.com/ws/twilio-media"'] },
    { name: "the seeds' CA_TEST works", ...form({ CallSid: "CA_TEST" }, { host: "agent.example.com" }), expectedStatus: 200, expectedContent: ['value="CA_TEST"'] },
    { name: "a malformed X-Forwarded-Host is ignored (Host is used), never a 500", ...form({ CallSid: "CAok2" }, { host: "agent.example.com", "x-forwarded-host": "evil host/../x?y" }), expectedStatus: 200, expectedContent: ["//agent.example.com/ws/twilio-media"], notExpectedContent: ["evil"] },
    { name: "an X-Forwarded-Host with a userinfo part is ignored", ...form({ CallSid: "CAok3" }, { host: "agent.example.com", "x-forwarded-host": "user@evil.example" }), expectedStatus: 200, notExpectedContent: ["evil"] },
    { name: "a bad X-Forwarded-Proto is ignored", ...form({ CallSid: "CAok4" }, { host: "agent.example.com", "x-forwarded-proto": "javascript" }), expectedStatus: 200, expectedContent: ['url="ws://agent.example.com/ws/twilio-media"'] },
    { name: "a CallSid with a path → 400 naming it", ...form({ CallSid: "../../etc" }), expectedStatus: 400, expectedContent: ['"field":"CallSid"', '"code":"bad_request"'] },
    { name: "a CallSid with markup → 400", ...form({ CallSid: '"/><Hangup/>' }), expectedStatus: 400 },
    { name: "no CallSid → 400", ...form({ From: "+972500000000" }), expectedStatus: 400 },
    { name: "a status callback with a bad CallSid → 204, nothing recorded", method: "POST", url: "/webhook/stream_status", headers: { "content-type": "application/x-www-form-urlencoded" }, rawBody: "CallSid=..%2Fx&StreamEvent=stream-started", expectedStatus: 204 },
  ]);
});

describe("downloads", () => {
  test("a recording's file name is built from a whitelist: a stored CallSid cannot steer it", async () => {
    const sid = 'CAold";\r\nX-Evil: 1; filename="evil.exe';
    const dir = tempDir();
    mkdirSync(join(dir, "recordings"));
    const file = join(dir, "recordings", "legacy.wav");
    writeFileSync(file, new Uint8Array(44));
    // a row written before CallSids were checked (straight into the database, as an old version could)
    t.services.calls.ringing(sid, { from: "+972500000009" });
    t.services.calls.recording(sid, file);
    const res = await t.request(`/api/calls/${encodeURIComponent(sid)}/recording`, { headers: { authorization: `Bearer ${owner}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('inline; filename="CAold____X-Evil__1__filename__evil_exe.wav"');
    expect(res.headers.get("x-evil")).toBeNull();
  });
});
