/** The Twilio edge of a call: TwiML, signatures, status callbacks, the WebSocket handshake, stream tokens, bad frames. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { rawHandshake } from "../../src/sim/handshake.ts";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { logLines } from "../support/server.ts";

const AUTH = "twilio-auth-token-1234";
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ env: { TWILIO_AUTH_TOKEN: AUTH, TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32), PUBLIC_BASE_URL: "https://agent.example.com" } });
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
    const token = await rig.token();
    const list = (await (await fetch(`${rig.server.url}/api/calls?limit=10`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    const call = list.calls.find((c: any) => c.callSid === "CAwebhook1");
    expect(call).toMatchObject({ fromNumber: "+972501112222", status: "ringing" });
    expect(call.contactId).toBeGreaterThan(0);
  });
});

describe("status callbacks", () => {
  test("stream_status and stream_ended answer 204 empty, signed or not; only signed ones are recorded", async () => {
    const p = { CallSid: "CAwebhook1", StreamSid: "MZ1", StreamEvent: "stream-started", AccountSid: "AC1" };
    const unsigned = await post("/webhook/stream_status", p);
    expect(unsigned.status).toBe(204);
    expect(await unsigned.text()).toBe("");
    const signed = await post("/webhook/stream_status", { ...p, StreamEvent: "stream-stopped" }, sign("/webhook/stream_status", { ...p, StreamEvent: "stream-stopped" }));
    expect(signed.status).toBe(204);
    expect(await signed.text()).toBe("");
    const garbage = await fetch(`${rig.server.url}/webhook/stream_status`, { method: "POST", body: "%%%" });
    expect(garbage.status).toBe(204);
    const ended = await post("/webhook/stream_ended", { CallSid: "CAwebhook1" }, sign("/webhook/stream_ended", { CallSid: "CAwebhook1" }));
    expect(ended.status).toBe(204);
    expect(await ended.text()).toBe("");

    const token = await rig.token();
    const detail = (await (await fetch(`${rig.server.url}/api/calls/CAwebhook1`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
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
