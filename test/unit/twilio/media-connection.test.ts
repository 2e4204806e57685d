/** The media connection with a recording socket and call: token gate, framing, marks, stop. */
import { expect, test } from "bun:test";
import { log } from "../../../src/log.ts";
import { MediaConnection, type MediaCall, type MediaConnectionDeps } from "../../../src/transports/twilio/media-connection.ts";
import { until } from "../../support/wait.ts";

function setup(validToken = true, more: Partial<MediaConnectionDeps> = {}) {
  const sent: string[] = [];
  const closed: Array<[number?, string?]> = [];
  const frames: Uint8Array[] = [];
  const events: string[] = [];
  const socket = { send: (d: string) => (sent.push(d), d.length), close: (c?: number, r?: string) => void closed.push([c, r]), ping: () => 0 };
  const call: MediaCall = {
    begin: () => void events.push("begin"),
    audio: (f) => void frames.push(f),
    dtmf: (d) => void events.push(`dtmf:${d}`),
    mark: (n) => void events.push(`mark:${n}`),
    end: (outcome?: string) => void events.push(outcome ? `end:${outcome}` : "end"),
  };
  let sink: { frame(f: Uint8Array): void } | undefined;
  const conn = new MediaConnection(socket, {
    log,
    pingIntervalMs: 60_000,
    verifyToken: () => validToken,
    createCall: (_start, s) => ((sink = s), call),
    ...more,
  });
  const start = (callSid = "CA1", streamSid = "MZ1") =>
    conn.onMessage(JSON.stringify({ event: "start", streamSid, start: { callSid, customParameters: { call_sid: callSid, token: "t" } } }));
  const media = (bytes: number) => conn.onMessage(JSON.stringify({ event: "media", media: { payload: Buffer.alloc(bytes, 0x11).toString("base64") } }));
  return { conn, sent, closed, frames, events, start, media, sink: () => sink! };
}

test("odd-sized payloads are counted and re-framed into 160-byte frames, not dropped", () => {
  const r = setup();
  r.start();
  r.media(160);
  r.media(100);
  r.media(100);
  r.media(120);
  expect(r.frames.map((f) => f.length)).toEqual([160, 160, 160]);
  expect(r.conn.problems.wrong_size).toBe(3);
});

test("a bad token closes 1008 and never creates the call", () => {
  const r = setup(false);
  r.start();
  r.media(160);
  expect(r.closed).toEqual([[1008, "invalid stream token"]]);
  expect(r.events).toEqual([]);
  expect(r.conn.problems.media_before_start).toBe(1);
});

test("the call's audio goes out as text media messages with the streamSid; dtmf, marks and stop reach the call", () => {
  const r = setup();
  r.start();
  r.sink().frame(new Uint8Array(160).fill(0xff));
  expect(JSON.parse(r.sent[0]!)).toEqual({ event: "media", streamSid: "MZ1", media: { payload: Buffer.alloc(160, 0xff).toString("base64") } });
  r.conn.onMessage('{"event":"dtmf","dtmf":{"digit":"5"}}');
  r.conn.onMessage('{"event":"mark","mark":{"name":"1:0:100"}}');
  r.conn.onMessage('{"event":"stop"}');
  r.conn.onMessage('{"event":"stop"}'); // a second stop changes nothing
  expect(r.events).toEqual(["begin", "dtmf:5", "mark:1:0:100", "end"]);
});

test("a socket that never sends a valid start is closed 1008 after the start timeout", async () => {
  const r = setup(true, { startTimeoutMs: 40 });
  r.conn.onMessage('{"event":"connected"}');
  r.media(160); // media without start does not count as starting
  await until(() => r.closed.length > 0, 2000, "the close");
  expect(r.closed).toEqual([[1008, "no valid start within 40 ms"]]);
  expect(r.events).toEqual([]);
});

test("a started stream keeps the socket: the start timeout no longer applies", async () => {
  const r = setup(true, { startTimeoutMs: 30, mediaTimeoutMs: 10_000 });
  r.start();
  await Bun.sleep(80);
  expect(r.closed).toEqual([]);
  r.conn.onMessage('{"event":"stop"}');
});

test("a started stream that sends no media for the media timeout ends its call as connection_lost", async () => {
  let now = 0;
  const r = setup(true, { mediaTimeoutMs: 100, now: () => now });
  r.start();
  now = 60;
  r.media(160);
  now = 150; // 90 ms since the last media: still alive
  await Bun.sleep(60);
  expect(r.events).toEqual(["begin"]);
  now = 161;
  await until(() => r.events.length > 1, 2000, "the call to end");
  expect(r.events).toEqual(["begin", "end:connection_lost"]);
  expect(r.closed).toEqual([[1000, "no media: connection lost"]]);
});

test.each([
  ["a CallSid with a path in it", "../../etc/passwd", "MZ1"],
  ["an empty-looking CallSid", " ", "MZ1"],
  ["a CallSid longer than 64", "CA" + "a".repeat(63), "MZ1"],
  ["a StreamSid with a quote", "CA1", 'MZ"1'],
])("%s is refused 1008 at start", (_name, callSid, streamSid) => {
  const r = setup();
  r.start(callSid, streamSid);
  expect(r.closed).toEqual([[1008, "malformed CallSid or StreamSid"]]);
  expect(r.events).toEqual([]);
});

test("the seeds' CA_TEST is a valid CallSid", () => {
  const r = setup();
  r.start("CA_TEST", "MZ_TEST-1");
  expect(r.events).toEqual(["begin"]);
  r.conn.onMessage('{"event":"stop"}');
});

test("a CallSid that already had its stream is refused 1008 before the call is created", () => {
  const r = setup(true, { acceptsStream: (sid) => sid !== "CAdone" });
  r.start("CAdone");
  expect(r.closed).toEqual([[1008, "this call already had its stream"]]);
  expect(r.events).toEqual([]);
});

test("audio more than 1 s ahead of the wall clock since start is dropped and counted", () => {
  let now = 0;
  const r = setup(true, { now: () => now });
  r.start();
  for (let i = 0; i < 100; i++) r.media(160); // 2 s of audio at once
  expect(r.frames.length).toBe(50); // the first second (50 × 20 ms) is the allowed lead
  expect(r.conn.problems.too_fast).toBe(50);
  now = 500; // half a second later: 25 more frames fit
  for (let i = 0; i < 100; i++) r.media(160);
  expect(r.frames.length).toBe(75);
  now = 10_000; // a caller in real time is never limited
  for (let i = 0; i < 20; i++) r.media(160);
  expect(r.frames.length).toBe(95);
  r.conn.onMessage('{"event":"stop"}');
});
