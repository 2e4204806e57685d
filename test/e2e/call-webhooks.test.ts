/**
 * The Twilio edge of a call: TwiML, signatures, status callbacks, the WebSocket handshake, stream tokens, bad frames;
 * and what a hostile or broken peer cannot do: hold a socket without starting, go silent, replay the webhook or the
 * token of a finished call, open a second stream, send audio faster than real time.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseWav } from "../../src/audio/riff.ts";
import { readStreamTwiml } from "../../src/sim/twiml-read.ts";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { rawHandshake } from "../../src/sim/handshake.ts";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { logLine, logLines } from "../support/server.ts";

const AUTH = "twilio-auth-token-1234";
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({
    env: {
      TWILIO_AUTH_TOKEN: AUTH,
      TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32),
      PUBLIC_BASE_URL: "https://agent.example.com",
      // short enough for a test, long enough for a loaded machine's real-time caller
      WS_START_TIMEOUT_MS: "500",
      WS_MEDIA_TIMEOUT_MS: "1500",
    },
  });
});
afterAll(() => rig.stop());

const form = (p: Record<string, string>) => new URLSearchParams(p);
const post = (path: string, params: Record<string, string>, signature?: string) =>
  fetch(`${rig.server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(signature ? { "x-twilio-signature": signature } : {}) },
    body: form(params),
  });
const sign = (path: string, params: Record<string, string>) => getExpectedTwilioSignature(AUTH, `https://agent.example.com${path}`, params);
/** A call of this test's own: Twilio's signed incoming-call webhook for a fresh CallSid (and number). */
async function ringOwn(prefix: string, from = `+97250${String(Date.now()).slice(-7)}`) {
  const params = { CallSid: `${prefix}${Date.now()}`, From: from, To: "+97231234567", AccountSid: "AC1" };
  const res = await post("/webhook/incoming_call", params, sign("/webhook/incoming_call", params));
  expect(res.status).toBe(200);
  return params;
}

describe("incoming_call", () => {
  const params = { CallSid: "CAwebhook1", From: "+972501112222", To: "+97231234567", AccountSid: "AC1" };

  test("signed against PUBLIC_BASE_URL (not the URL the server sees) → TwiML exactly as the contract shows", async () => {
    const res = await post("/webhook/incoming_call", params, sign("/webhook/incoming_call", params));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/xml");
    const xml = await res.text();
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Connect action="https:\/\/agent\.example\.com\/webhook\/stream_ended"><Stream url="wss:\/\/agent\.example\.com\/ws\/twilio-media" statusCallback="https:\/\/agent\.example\.com\/webhook\/stream_status"><Parameter name="call_sid" value="CAwebhook1"\/><Parameter name="token" value="\d+\.[\w-]+"\/>/,
    );
    expect(xml).toEndWith("</Stream></Connect></Response>");
  });

  test("missing or wrong signature → 403, nothing recorded", async () => {
    expect((await post("/webhook/incoming_call", { ...params, CallSid: "CAunsigned" })).status).toBe(403);
    const wrong = await post("/webhook/incoming_call", { ...params, CallSid: "CAwrong" }, sign("/webhook/incoming_call", params));
    expect(wrong.status).toBe(403);
    // signed for the URL the server sees instead of the public one: the proxy trap
    const local = getExpectedTwilioSignature(AUTH, `${rig.server.url}/webhook/incoming_call`, params);
    expect((await post("/webhook/incoming_call", params, local)).status).toBe(403);
    const token = await rig.token();
    const res = await fetch(`${rig.server.url}/api/calls/CAunsigned`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
  });

  test("the caller's number becomes a contact, the call is listed", async () => {
    const own = await ringOwn("CAcontact", "+972501113333");
    const list = await rig.api("/api/calls?limit=200");
    const call = list.calls.find((c: any) => c.callSid === own.CallSid);
    expect(call).toMatchObject({ fromNumber: "+972501113333", status: "ringing" });
    expect(call.contactId).toBeGreaterThan(0);
    const contact = await rig.api(`/api/contacts/${call.contactId}`);
    expect(contact).toMatchObject({ id: call.contactId, phone: "+972501113333" });
  });
});

describe("status callbacks", () => {
  test("stream_status and stream_ended answer 204 empty, signed or not; only signed ones are recorded", async () => {
    const { CallSid } = await ringOwn("CAstatus");
    const p = { CallSid, StreamSid: "MZ1", StreamEvent: "stream-started", AccountSid: "AC1" };
    const unsigned = await post("/webhook/stream_status", p);
    expect(unsigned.status).toBe(204);
    expect(await unsigned.text()).toBe("");
    const signed = await post("/webhook/stream_status", { ...p, StreamEvent: "stream-stopped" }, sign("/webhook/stream_status", { ...p, StreamEvent: "stream-stopped" }));
    expect(signed.status).toBe(204);
    expect(await signed.text()).toBe("");
    const garbage = await fetch(`${rig.server.url}/webhook/stream_status`, { method: "POST", body: "%%%" });
    expect(garbage.status).toBe(204);
    const ended = await post("/webhook/stream_ended", { CallSid }, sign("/webhook/stream_ended", { CallSid }));
    expect(ended.status).toBe(204);
    expect(await ended.text()).toBe("");

    const detail = await rig.api(`/api/calls/${CallSid}`);
    const statuses = detail.events.filter((e: any) => e.event === "twilio.stream_status").map((e: any) => e.data.event);
    expect(statuses).toEqual(["stream-stopped"]);
    expect(detail.events.some((e: any) => e.event === "twilio.stream_ended")).toBe(true);
  });
});

describe("media WebSocket", () => {
  const wsUrl = () => rig.server.url.replace("http", "ws") + "/ws/twilio-media";

  test("101 carries Sec-WebSocket-Protocol: audio.twilio.com exactly once when offered", async () => {
    const r = await rawHandshake(wsUrl(), ["audio.twilio.com"]);
    expect(r.status).toBe(101);
    expect(r.protocols).toEqual(["audio.twilio.com"]);
  });

  test("no subprotocol header when none is offered (standard clients would fail)", async () => {
    const r = await rawHandshake(wsUrl());
    expect(r.status).toBe(101);
    expect(r.protocols).toEqual([]);
    const ws = new WebSocket(wsUrl());
    await new Promise((resolve, reject) => ((ws.onopen = resolve), (ws.onerror = reject)));
    expect(ws.protocol).toBe("");
    ws.close();
  });

  test("a plain GET is told to upgrade", async () => {
    expect((await fetch(`${rig.server.url}/ws/twilio-media`)).status).toBe(426);
  });

  test("a start without a valid token is closed 1008 before any provider is touched", async () => {
    const streamsBefore = rig.google.streams.length;
    const ttsBefore = rig.google.ttsRequests.length;
    const caller = new SimulatedCaller({ baseUrl: rig.server.url, authToken: AUTH });
    const twiml = await caller.webhook("/webhook/incoming_call", { CallSid: caller.callSid, From: "+972500000000" });
    expect(twiml.status).toBe(403); // signed for the local URL, not PUBLIC_BASE_URL: fine, we only need a socket here
    await caller.connect(wsUrl(), { call_sid: caller.callSid, token: `${Date.now() + 60_000}.forged` });
    await caller.closedPromise;
    expect(caller.closeCode).toBe(1008);
    expect(caller.frames).toHaveLength(0);
    expect(rig.google.streams.length).toBe(streamsBefore);
    expect(rig.google.ttsRequests.length).toBe(ttsBefore);
  });

  test("bad frames are counted and logged, never fatal: the call goes on", async () => {
    const from = logLines.length; // this test's log lines only
    const caller = new SimulatedCaller({ baseUrl: rig.server.url });
    const params = { CallSid: caller.callSid, From: "+972503334444", To: "+97231234567" };
    const res = await post("/webhook/incoming_call", params, sign("/webhook/incoming_call", params));
    const { readStreamTwiml } = await import("../../src/sim/twiml-read.ts");
    const tw = readStreamTwiml(await res.text());
    // media before start (sent on a fresh socket before the caller's start)
    const early = new WebSocket(wsUrl(), ["audio.twilio.com"]);
    await new Promise((r) => (early.onopen = r));
    early.send(JSON.stringify({ event: "media", media: { payload: Buffer.alloc(160).toString("base64") } }));
    early.close();

    await caller.connect(wsUrl(), tw.parameters);
    caller.sendRaw(new Uint8Array([1, 2, 3]));
    caller.sendRaw("this is not json");
    caller.sendRaw(JSON.stringify({ event: "media", streamSid: caller.streamSid, media: { payload: Buffer.alloc(100).toString("base64") } }));
    caller.sendRaw(JSON.stringify({ event: "media", streamSid: caller.streamSid, media: { payload: "***" } }));
    caller.sendRaw(JSON.stringify({ event: "no-such-event" }));
    await caller.waitUntil(() => caller.frames.length > 10, 3000, "greeting despite junk");
    expect(caller.closeCode).toBeUndefined();
    const bad = logLines.slice(from).filter((l) => l.event === "ws.bad_frame");
    // after its start, the call's own socket logs with its CallSid; the early socket never had a call
    expect(bad.filter((l) => l.callSid === caller.callSid).map((l) => l.kind).sort()).toEqual(["bad_base64", "binary", "not_json", "wrong_size"]);
    expect(bad.filter((l) => l.callSid === undefined).map((l) => l.kind)).toEqual(["media_before_start"]);
    await caller.hangup();
  });
});

describe("limits a hostile or broken peer cannot get past", () => {
  const wsUrl = () => rig.server.url.replace("http", "ws") + "/ws/twilio-media";

  /** Rings incoming_call (signed like Twilio) and returns the TwiML's stream parameters. */
  async function ring(callSid: string): Promise<{ status: number; xml: string; parameters: Record<string, string> }> {
    const params = { CallSid: callSid, From: "+972507770000", To: "+97231234567", AccountSid: "AC1" };
    const res = await post("/webhook/incoming_call", params, sign("/webhook/incoming_call", params));
    const xml = await res.text();
    return { status: res.status, xml, parameters: readStreamTwiml(xml).parameters };
  }

  /** A raw media socket: sends `start` with these parameters (when given), reports how it closed. */
  async function stream(callSid: string, parameters?: Record<string, string>) {
    const ws = new WebSocket(wsUrl(), ["audio.twilio.com"]);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => (ws.onclose = (e) => resolve({ code: e.code, reason: e.reason })));
    await new Promise((r) => (ws.onopen = r));
    ws.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
    const streamSid = `MZ${crypto.randomUUID().replace(/-/g, "")}`;
    if (parameters) ws.send(JSON.stringify({ event: "start", streamSid, start: { callSid, streamSid, tracks: ["inbound"], customParameters: parameters } }));
    const media = (payload: string) => ws.send(JSON.stringify({ event: "media", streamSid, media: { track: "inbound", payload } }));
    return { ws, closed, media, streamSid };
  }

  const detail = async (callSid: string) => rig.api(`/api/calls/${callSid}`);
  const fileHash = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

  test("a 1 MB message (before any start) closes the socket with 1009 unread; the server goes on", async () => {
    const s = await stream("CAhuge");
    s.ws.send(JSON.stringify({ event: "start", padding: "x".repeat(1024 * 1024) }));
    expect((await s.closed).code).toBe(1009);
    // a message just under the limit is read (and refused as not a start) like any other
    const fits = await stream("CAfits");
    fits.ws.send(JSON.stringify({ event: "media", padding: "x".repeat(60 * 1024) }));
    expect((await fits.closed).code).toBe(1008); // no valid start within WS_START_TIMEOUT_MS
    // and calls still connect
    const callSid = `CAafterhuge${Date.now()}`;
    const caller = new SimulatedCaller({ baseUrl: rig.server.url, callSid });
    await caller.connect(wsUrl(), (await ring(callSid)).parameters);
    await caller.waitUntil(() => caller.frames.length > 10, 5000, "the greeting after the oversized message");
    await caller.hangup();
  });

  test("a socket that never sends a valid start is closed 1008 (WS_START_TIMEOUT_MS)", async () => {
    const t0 = performance.now();
    const s = await stream("CAnever");
    const { code, reason } = await s.closed;
    expect(code).toBe(1008);
    expect(reason).toContain("no valid start");
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  test("a started stream that sends no media ends its call as connection_lost (WS_MEDIA_TIMEOUT_MS)", async () => {
    const callSid = `CAsilent${Date.now()}`;
    const { parameters } = await ring(callSid);
    const s = await stream(callSid, parameters);
    const { code } = await s.closed;
    expect(code).toBe(1000);
    const d = await detail(callSid);
    expect(d.call.outcome).toBe("connection_lost");
    expect(d.call.status).toBe("completed");
    expect(logLines.some((l) => l.event === "ws.media_timeout" && l.callSid === callSid)).toBe(true);
  });

  test("one stream per call: a second start while it streams, and a replayed token or webhook after it ended, change nothing", async () => {
    const callSid = `CAonce${Date.now()}`;
    const first = await ring(callSid);
    const caller = new SimulatedCaller({ baseUrl: rig.server.url, callSid });
    await caller.connect(wsUrl(), first.parameters);
    await caller.waitUntil(() => caller.frames.length > 20, 5000, "the greeting");
    // a second stream with the same (still valid) token while the call is live
    const second = await stream(callSid, first.parameters);
    expect(await second.closed).toEqual({ code: 1008, reason: "this call already had its stream" });
    expect(caller.closeCode).toBeUndefined();
    await caller.waitForQuiet(300, 10_000);
    await caller.hangup();
    // the call's record is closed right after this line (same tick)
    await logLine((l) => l.event === "call.saved" && l.callSid === callSid, 5000, "the call saved");
    const before = await detail(callSid);
    expect(before.call.status).toBe("completed");
    expect(before.recordingUrl).toBeTruthy();
    const path = `${rig.server.dataDir}/recordings/${callSid}.wav`;
    const hashBefore = fileHash(path);

    // Twilio's webhook replayed (signed, so it passes the signature check): hang up, reopen nothing
    const replay = await ring(callSid);
    expect(replay.status).toBe(200);
    expect(replay.xml).toContain("<Hangup/>");
    expect(replay.xml).not.toContain("<Stream");
    // the first TwiML's token, replayed within its 2 minutes
    const late = await stream(callSid, first.parameters);
    expect(await late.closed).toEqual({ code: 1008, reason: "this call already had its stream" });

    const after = await detail(callSid);
    expect(after.call).toEqual(before.call);
    expect(after.turns).toEqual(before.turns);
    expect(fileHash(path)).toBe(hashBefore);
  });

  test("audio flooded faster than real time is dropped and counted: the recording is never longer than the call", async () => {
    const callSid = `CAflood${Date.now()}`;
    const { parameters } = await ring(callSid);
    const s = await stream(callSid, parameters);
    const t0 = performance.now();
    const frame = Buffer.alloc(160, 0x7f).toString("base64");
    // 8 MB of audio: 50,000 frames = 1,000 s of call, sent in a moment
    for (let i = 0; i < 50_000; i++) s.media(frame);
    s.ws.send(JSON.stringify({ event: "stop", streamSid: s.streamSid }));
    s.ws.close(1000, "done");
    await s.closed;
    await logLine((l) => l.event === "call.saved" && l.callSid === callSid, 10_000, "the call saved");
    expect((await detail(callSid)).call.status).toBe("completed");
    const wallS = (performance.now() - t0) / 1000;
    const wav = parseWav(new Uint8Array(readFileSync(`${rig.server.dataDir}/recordings/${callSid}.wav`)));
    const recordedS = wav.data.length / (8000 * 2 * 2); // stereo 16-bit at 8 kHz
    expect(recordedS).toBeLessThanOrEqual(wallS + 1.1);
    expect(recordedS).toBeGreaterThan(0.5); // the allowed lead did arrive
    const counted = logLines.filter((l) => l.event === "ws.bad_frame" && l.callSid === callSid && l.kind === "too_fast");
    expect(counted.length).toBeGreaterThan(0);
    const stop = logLines.find((l) => l.event === "WS_STOP" && l.callSid === callSid) as { problems: { too_fast: number } };
    expect(stop.problems.too_fast).toBeGreaterThan(45_000);
  });

  test("a CallSid that is not [A-Za-z0-9_-]{1,64} gets 400 from incoming_call, nothing recorded", async () => {
    for (const bad of ["CA/../../x", "CA 1", "CA" + "x".repeat(70), ""]) {
      const params = { CallSid: bad, From: "+972500000001" };
      const res = await post("/webhook/incoming_call", params, sign("/webhook/incoming_call", params));
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('"field":"CallSid"');
    }
  });
});
