/**
 * The browser side of the test call apart from the browser: Twilio's messages as the page sends them (parsed back
 * with the server's own parser), the frame clock's absolute pacing, the jitter queue, and the playback's marks —
 * echoed only once their audio has been consumed by the player, and all at once on a clear.
 */
import { describe, expect, test } from "bun:test";
import { FRAME_BYTES, MULAW_SILENCE } from "../../../src/audio/mulaw.ts";
import { parseInbound, decodePayload } from "../../../src/transports/twilio/protocol.ts";
import { FrameClock } from "../../../src/web/audio/frame-clock.ts";
import { FrameQueue } from "../../../src/web/audio/frame-queue.ts";
import { AgentPlayback, type PortLike } from "../../../src/web/audio/playback.ts";
import { TwilioStream, TWILIO_SUBPROTOCOL, type SocketLike } from "../../../src/web/audio/twilio-stream.ts";
import { sameOriginSocketUrl } from "../../../src/web/audio/test-call.ts";

class FakeSocket implements SocketLike {
  readyState = 0;
  protocol = "";
  sent: string[] = [];
  closed?: { code?: number; reason?: string };
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  constructor(readonly url: string, readonly offered: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closed = { code, reason };
    this.readyState = 2;
  }
  open() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  receive(data: unknown) {
    this.onmessage?.({ data: typeof data === "string" ? data : JSON.stringify(data) } as MessageEvent);
  }
}

const events = () => {
  const got = { media: [] as Uint8Array[], marks: [] as string[], clears: 0, closed: [] as Array<[number, string]> };
  return { got, handlers: { media: (a: Uint8Array) => void got.media.push(a), mark: (n: string) => void got.marks.push(n), clear: () => void got.clears++, closed: (c: number, r: string) => void got.closed.push([c, r]) } };
};

describe("Twilio's messages, as the server reads them", () => {
  test("subprotocol, connected, start with the call's parameters and μ-law 8000 mono, media with Twilio's counters, marks, stop", async () => {
    let socket!: FakeSocket;
    const { got, handlers } = events();
    const opening = TwilioStream.open("ws://h/ws/twilio-media", "TC123", "tok.en", handlers, (u, p) => (socket = new FakeSocket(u, p)));
    expect(socket.offered).toBe(TWILIO_SUBPROTOCOL);
    socket.open();
    const stream = await opening;
    const frame = new Uint8Array(FRAME_BYTES).fill(0x7f);
    stream.sendFrame(frame);
    stream.sendFrame(frame);
    stream.echoMark("reply-1");
    stream.sendDigit("0");
    stream.stop();
    const parsed = socket.sent.map((s) => parseInbound(s));
    expect(parsed.every((p) => p.ok === true)).toBe(true);
    const m = parsed.map((p) => (p as { ok: true; message: any }).message);
    expect(m.map((x) => x.event)).toEqual(["connected", "start", "media", "media", "mark", "dtmf", "stop"]);
    expect(m[1].start).toMatchObject({ callSid: "TC123", tracks: ["inbound"], customParameters: { call_sid: "TC123", token: "tok.en" }, mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 } });
    expect(m[1].streamSid).toMatch(/^MZ[0-9a-f]{32}$/);
    expect(m[1].start.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    // sequence numbers count every message after `connected`; chunk and timestamp (ms) count the audio
    expect(m.slice(1).map((x) => x.sequenceNumber)).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect([m[2].media.chunk, m[2].media.timestamp, m[3].media.chunk, m[3].media.timestamp]).toEqual(["1", "0", "2", "20"]);
    const payload = decodePayload(m[2].media.payload);
    expect(payload.ok && payload.audio).toEqual(frame);
    expect(payload.ok && payload.wrongSize).toBe(false);
    expect(m[4].mark.name).toBe("reply-1");
    expect(m[6].stop.callSid).toBe("TC123");
    expect(new Set(m.slice(1).map((x) => x.streamSid)).size).toBe(1);
    expect(socket.closed).toEqual({ code: 1000, reason: "hung up" });
    expect(got.closed).toEqual([]);
  });

  test("the server's media, mark and clear reach the page; anything else is counted and ignored", async () => {
    let socket!: FakeSocket;
    const { got, handlers } = events();
    const opening = TwilioStream.open("ws://h/x", "TC1", "t", handlers, (u, p) => (socket = new FakeSocket(u, p)));
    socket.open();
    const stream = await opening;
    socket.receive({ event: "media", streamSid: stream.streamSid, media: { payload: Buffer.from(new Uint8Array(160).fill(1)).toString("base64") } });
    socket.receive({ event: "mark", streamSid: stream.streamSid, mark: { name: "m1" } });
    socket.receive({ event: "clear", streamSid: stream.streamSid });
    socket.receive("not json");
    socket.receive({ event: "media", media: { payload: "!!!" } });
    socket.receive({ event: "whatever" });
    socket.onclose?.({ code: 1008, reason: "invalid stream token" } as CloseEvent);
    expect(got.media.map((a) => a.length)).toEqual([160]);
    expect(got.marks).toEqual(["m1"]);
    expect(got.clears).toBe(1);
    expect(stream.stats).toMatchObject({ framesReceived: 1, clears: 1, badMessages: 3 });
    expect(got.closed).toEqual([[1008, "invalid stream token"]]);
  });

  test("a socket refused before it opens rejects the start", async () => {
    let socket!: FakeSocket;
    const opening = TwilioStream.open("ws://h/x", "TC1", "t", events().handlers, (u, p) => (socket = new FakeSocket(u, p)));
    socket.onclose?.({ code: 1006, reason: "" } as CloseEvent);
    await expect(opening).rejects.toThrow("1006");
  });

  test("the media socket stays on the page's own origin (the CSP allows no other), keeping the server's path", () => {
    expect(sameOriginSocketUrl("wss://app.example.com/ws/twilio-media", new URL("https://app.example.com/app/admin/test-call"))).toBe("wss://app.example.com/ws/twilio-media");
    expect(sameOriginSocketUrl("wss://public.example.com/voice/ws/twilio-media", new URL("http://localhost:3000/app/admin/test-call"))).toBe("ws://localhost:3000/voice/ws/twilio-media");
  });
});

describe("frame clock", () => {
  test("one frame per 20 ms against the start time: late ticks catch up, early ticks send nothing, no drift", () => {
    let now = 1000;
    let sent = 0;
    const clock = new FrameClock(() => sent++, () => now);
    clock.start();
    expect(sent).toBe(1); // the first frame at once
    now += 19;
    clock.tick();
    expect(sent).toBe(1);
    now += 1;
    clock.tick();
    expect(sent).toBe(2);
    now += 1000; // a stalled tab: the frames due meanwhile go out, never more
    clock.tick();
    expect(sent).toBe(52);
    for (let i = 0; i < 1000; i++) {
      now += 13; // ticks that never line up with frames
      clock.tick();
    }
    expect(sent).toBe(Math.floor((now - 1000) / 20) + 1);
    clock.stop();
  });
});

describe("frame queue", () => {
  test("silence until two frames are there, then the microphone's audio in order; silence again after running dry", () => {
    const q = new FrameQueue();
    const bytes = (n: number, v: number) => new Uint8Array(n).fill(v);
    expect(q.take()).toEqual(bytes(160, MULAW_SILENCE));
    q.push(bytes(200, 1));
    expect(q.take()[0]).toBe(MULAW_SILENCE); // 1.25 frames: still priming
    q.push(bytes(200, 2));
    const first = q.take();
    expect([first[0], first[159]]).toEqual([1, 1]);
    const second = q.take();
    expect([second[0], second[39], second[40], second[159]]).toEqual([1, 1, 2, 2]);
    expect(q.take()[0]).toBe(MULAW_SILENCE); // 80 bytes left: ran dry
    expect(q.underruns).toBe(1);
  });

  test("never more than 200 ms queued: the oldest audio goes", () => {
    const q = new FrameQueue();
    for (let i = 0; i < 30; i++) q.push(new Uint8Array(160).fill(i));
    expect(q.dropped).toBe(20 * 160);
    expect(q.take()[0]).toBe(20);
  });
});

describe("playback and marks", () => {
  class FakePort implements PortLike {
    posted: unknown[] = [];
    onmessage: ((e: MessageEvent) => void) | null = null;
    postMessage(m: unknown) {
      this.posted.push(m);
    }
    consumed(n: number) {
      this.onmessage?.({ data: { consumed: n } } as MessageEvent);
    }
    get samples() {
      return this.posted.filter((m): m is Float32Array => m instanceof Float32Array).reduce((n, a) => n + a.length, 0);
    }
  }

  test("a mark is echoed only when the audio queued before it has been consumed; with nothing queued at once", () => {
    const port = new FakePort();
    const echoed: string[] = [];
    const p = new AgentPlayback(port, 48000, (m) => echoed.push(m));
    p.mark("idle");
    expect(echoed).toEqual(["idle"]);
    for (let i = 0; i < 10; i++) p.audio(new Uint8Array(160).fill(0x10));
    p.mark("after-200ms");
    const queued = port.samples;
    expect(queued).toBeGreaterThanOrEqual(9600); // 200 ms at 48 kHz (and the kernel's tail)
    expect(p.speaking).toBe(true);
    port.consumed(queued - 1);
    expect(echoed).toEqual(["idle"]);
    port.consumed(queued);
    expect(echoed).toEqual(["idle", "after-200ms"]);
    expect(p.speaking).toBe(false);
    expect(p.playedMs).toBeCloseTo((queued * 1000) / 48000, 3);
    expect(port.posted.filter((m) => (m as { type?: string }).type === "flush").length).toBe(1);
  });

  test("clear drops the queue at the player and echoes every pending mark at once, in order; late reports change nothing", () => {
    const port = new FakePort();
    const echoed: string[] = [];
    const p = new AgentPlayback(port, 8000, (m) => echoed.push(m));
    p.audio(new Uint8Array(160));
    p.mark("a");
    p.audio(new Uint8Array(160));
    p.mark("b");
    port.consumed(50);
    expect(echoed).toEqual([]);
    p.clear();
    expect(port.posted.at(-1)).toEqual({ type: "clear" });
    expect(echoed).toEqual(["a", "b"]);
    expect(p.speaking).toBe(false);
    const played = p.playedMs;
    port.consumed(100); // a report sent before the player saw the clear
    expect(p.playedMs).toBe(played);
    p.audio(new Uint8Array(160));
    p.mark("c");
    expect(echoed).toEqual(["a", "b"]);
    port.consumed(port.samples);
    expect(echoed).toEqual(["a", "b", "c"]);
  });

  test("every report of the player is a beat for the frame clock, silence included", () => {
    const port = new FakePort();
    let beats = 0;
    const p = new AgentPlayback(port, 8000, () => {}, () => beats++);
    port.consumed(0);
    port.consumed(0);
    expect(beats).toBe(2);
    expect(p.playedMs).toBe(0);
  });
});
