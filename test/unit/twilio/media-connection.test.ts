/** The media connection with a recording socket and call: token gate, framing, marks, stop. */
import { expect, test } from "bun:test";
import { log } from "../../../src/log.ts";
import { MediaConnection, type MediaCall } from "../../../src/transports/twilio/media-connection.ts";

function setup(validToken = true) {
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
    end: () => void events.push("end"),
  };
  let sink: { frame(f: Uint8Array): void } | undefined;
  const conn = new MediaConnection(socket, {
    log,
    pingIntervalMs: 60_000,
    verifyToken: () => validToken,
    createCall: (_start, s) => ((sink = s), call),
  });
  const start = () =>
    conn.onMessage(JSON.stringify({ event: "start", streamSid: "MZ1", start: { callSid: "CA1", customParameters: { call_sid: "CA1", token: "t" } } }));
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
