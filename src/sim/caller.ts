/**
 * A caller that behaves like Twilio: rings the incoming-call webhook (signed like Twilio when given the auth token),
 * opens the media WebSocket offering `audio.twilio.com`, sends connected/start with the TwiML's parameters, then a
 * 20 ms μ-law frame on an absolute clock for as long as the call lasts (speech when told to speak, silence
 * otherwise). What the agent sends is "played" in real time: marks are echoed once the audio before them has played,
 * and a `clear` drops the buffer and echoes every pending mark, as Twilio does.
 * Used by the end-to-end tests, `agentlocator call`, `agentlocator doctor` and the benchmarks.
 */
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { decode, FRAME_BYTES, FRAME_MS, MULAW_SILENCE, toFrames } from "../audio/mulaw.ts";
import { rms } from "../audio/vad.ts";
import { PhoneLine, type LineOptions } from "./line.ts";
import { TwilioPlayback } from "./playback.ts";
import { readStreamTwiml, type StreamTwiml } from "./twiml-read.ts";

export interface CallerOptions {
  baseUrl: string;
  /** Sign webhook requests like Twilio (X-Twilio-Signature). */
  authToken?: string;
  callSid?: string;
  from?: string;
  to?: string;
  /** Offer the audio.twilio.com subprotocol (Twilio does). */
  subprotocol?: boolean;
  /** Background noise and an echo of the agent's audio on the line (none: a clean digital line). */
  line?: LineOptions;
}

export interface ReceivedFrame {
  at: number;
  bytes: number;
  streamSid: string;
  payload: Uint8Array;
}

/** A frame louder than this counts as voiced — the app's VAD minimum (audio/vad.ts), so both sides agree. */
const VOICED_RMS = 160;

export class SimulatedCaller {
  readonly callSid: string;
  readonly streamSid: string;
  twiml?: StreamTwiml;
  twimlText = "";
  socket?: WebSocket;
  /** Negotiated subprotocol of the media socket. */
  protocol = "";
  startedAt = 0;
  readonly frames: ReceivedFrame[] = [];
  readonly marksReceived: string[] = [];
  readonly clears: number[] = [];
  readonly badMessages: string[] = [];
  closeCode?: number;
  closeReason?: string;
  /** Wall time the last voiced frame of the latest `speak` was sent. */
  lastVoicedSentAt = 0;
  /** Wall time the first voiced frame of the latest `speak` was sent. */
  firstVoicedSentAt = 0;
  private line: PhoneLine;
  /** Twilio's playback of what the agent sends: marks echoed as played, `clear` honoured. */
  readonly playback: TwilioPlayback;

  private outgoing: Uint8Array[] = [];
  private sendTimer?: Timer;
  private sendClock = 0;
  private seq = 1;
  private chunk = 0;
  private speakDone: Array<{ remaining: number; resolve: () => void }> = [];
  private firstVoicedPending = false;
  private listeners: Array<() => void> = [];
  private closed?: Promise<void>;

  constructor(private o: CallerOptions) {
    this.callSid = o.callSid ?? `CA${crypto.randomUUID().replace(/-/g, "")}`;
    this.streamSid = `MZ${crypto.randomUUID().replace(/-/g, "")}`;
    this.line = new PhoneLine(o.line);
    this.playback = new TwilioPlayback(
      (name) => this.socket?.readyState === WebSocket.OPEN && this.socket.send(JSON.stringify({ event: "mark", sequenceNumber: String(this.seq++), streamSid: this.streamSid, mark: { name } })),
      () => this.notify(),
      { onPlay: (frame, at) => this.line.agentPlayed(frame, at) },
    );
  }

  private base() {
    return this.o.baseUrl.replace(/\/+$/, "");
  }

  /** POSTs a form to a webhook path, signed like Twilio when an auth token is known. */
  async webhook(path: string, params: Record<string, string>): Promise<Response> {
    const url = `${this.base()}${path}`;
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (this.o.authToken) headers["x-twilio-signature"] = getExpectedTwilioSignature(this.o.authToken, url, params);
    return fetch(url, { method: "POST", headers, body: new URLSearchParams(params) });
  }

  /** Rings the incoming-call webhook and reads the TwiML. */
  async dial(): Promise<StreamTwiml> {
    const res = await this.webhook("/webhook/incoming_call", {
      CallSid: this.callSid,
      AccountSid: "AC00000000000000000000000000000000",
      From: this.o.from ?? "+972501234567",
      To: this.o.to ?? "+97231234567",
      CallStatus: "ringing",
      Direction: "inbound",
      ApiVersion: "2010-04-01",
    });
    this.twimlText = await res.text();
    if (res.status !== 200) throw new Error(`incoming_call answered ${res.status}: ${this.twimlText.slice(0, 200)}`);
    this.twiml = readStreamTwiml(this.twimlText);
    return this.twiml;
  }

  /** Opens the media socket and starts the call (connected + start), then streams silence in real time. */
  async connect(url = this.twiml?.streamUrl, parameters = this.twiml?.parameters ?? {}): Promise<void> {
    if (!url) throw new Error("no <Stream url> to connect to");
    const ws = this.o.subprotocol === false ? new WebSocket(url) : new WebSocket(url, ["audio.twilio.com"]);
    this.socket = ws;
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
    });
    this.protocol = ws.protocol;
    this.closed = new Promise((resolve) => {
      ws.onclose = (e) => {
        this.closeCode = e.code;
        this.closeReason = e.reason;
        this.stopTimers();
        this.notify();
        resolve();
      };
    });
    ws.onmessage = (e) => this.onMessage(e.data);
    ws.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
    ws.send(
      JSON.stringify({
        event: "start",
        sequenceNumber: String(this.seq++),
        streamSid: this.streamSid,
        start: {
          accountSid: "AC00000000000000000000000000000000",
          streamSid: this.streamSid,
          callSid: this.callSid,
          tracks: ["inbound"],
          customParameters: parameters,
          mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        },
      }),
    );
    this.startedAt = performance.now();
    this.sendClock = this.startedAt;
    this.sendTimer = setTimeout(this.sendTick, 0);
  }

  /** Queues speech (8 kHz μ-law) to be sent in real time; resolves when its last frame has gone. */
  speak(mulaw: Uint8Array): Promise<void> {
    if (!this.outgoing.length) this.firstVoicedPending = true;
    this.outgoing.push(...toFrames(mulaw));
    return new Promise((resolve) => this.speakDone.push({ remaining: this.outgoing.length, resolve }));
  }

  sendDtmf(digit: string): void {
    this.socket?.send(JSON.stringify({ event: "dtmf", streamSid: this.streamSid, sequenceNumber: String(this.seq++), dtmf: { track: "inbound_track", digit } }));
  }

  /** Sends a raw message (tests of malformed input). */
  sendRaw(data: string | Uint8Array<ArrayBuffer>): void {
    this.socket?.send(data);
  }

  /** Twilio's `stop`, then the socket closes. */
  async hangup(): Promise<void> {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ event: "stop", sequenceNumber: String(this.seq++), streamSid: this.streamSid, stop: { accountSid: "AC00000000000000000000000000000000", callSid: this.callSid } }));
      this.socket.close(1000, "caller hung up");
    }
    this.stopTimers();
    await this.closed;
  }

  /** Resolves once `pred` holds (checked on every event), or rejects after `timeoutMs`. */
  waitUntil(pred: () => boolean, timeoutMs: number, what = "condition"): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
        resolve();
      };
      this.listeners.push(check);
    });
  }

  /** Frames received after wall time `t`. */
  framesAfter(t: number): ReceivedFrame[] {
    return this.frames.filter((f) => f.at >= t);
  }

  /** The agent has said something, nothing is left to play and nothing new came for `quietMs`. */
  async waitForQuiet(quietMs = 400, timeoutMs = 15_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const last = this.frames.at(-1)?.at;
      if (last !== undefined && this.playback.idle && performance.now() - last >= quietMs) return;
      await Bun.sleep(20);
    }
    throw new Error(`agent still talking after ${timeoutMs} ms`);
  }

  get closedPromise(): Promise<void> | undefined {
    return this.closed;
  }

  private notify() {
    for (const l of [...this.listeners]) l();
  }

  private sendTick = () => {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const now = performance.now();
    // catch up on the absolute clock: one frame per 20 ms since the start, never a burst of more than 5
    let due = Math.min(5, Math.floor((now - this.sendClock) / FRAME_MS) + 1);
    while (due-- > 0) {
      const said = this.outgoing.shift() ?? new Uint8Array(FRAME_BYTES).fill(MULAW_SILENCE);
      // voiced is judged on the caller's own speech, before the line adds noise and echo
      if (rms(decode(said)) > VOICED_RMS) {
        this.lastVoicedSentAt = performance.now();
        if (this.firstVoicedPending) {
          this.firstVoicedPending = false;
          this.firstVoicedSentAt = this.lastVoicedSentAt;
        }
      }
      const frame = this.line.mix(said, performance.now());
      this.chunk++;
      ws.send(
        JSON.stringify({
          event: "media",
          sequenceNumber: String(this.seq++),
          streamSid: this.streamSid,
          media: { track: "inbound", chunk: String(this.chunk), timestamp: String(this.chunk * FRAME_MS), payload: Buffer.from(frame).toString("base64") },
        }),
      );
      this.sendClock += FRAME_MS;
      for (const d of this.speakDone) d.remaining--;
      for (const d of this.speakDone.filter((d) => d.remaining <= 0)) d.resolve();
      this.speakDone = this.speakDone.filter((d) => d.remaining > 0);
    }
    this.sendTimer = setTimeout(this.sendTick, Math.max(1, this.sendClock + FRAME_MS - performance.now()));
  };

  private onMessage(data: unknown) {
    if (typeof data !== "string") {
      this.badMessages.push("binary frame");
      return this.notify();
    }
    let msg: { event?: string; streamSid?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      msg = JSON.parse(data);
    } catch {
      this.badMessages.push(`not JSON: ${data.slice(0, 80)}`);
      return this.notify();
    }
    const now = performance.now();
    if (msg.streamSid !== this.streamSid) this.badMessages.push(`wrong streamSid ${msg.streamSid} on ${msg.event}`);
    if (msg.event === "media") {
      const payload = Buffer.from(msg.media?.payload ?? "", "base64");
      this.frames.push({ at: now, bytes: payload.length, streamSid: msg.streamSid ?? "", payload: new Uint8Array(payload) });
      this.playback.media(new Uint8Array(payload), now);
    } else if (msg.event === "mark") {
      const name = msg.mark?.name ?? "";
      this.marksReceived.push(name);
      this.playback.mark(name, now);
    } else if (msg.event === "clear") {
      this.clears.push(now);
      this.playback.clear();
    } else this.badMessages.push(`unexpected event ${msg.event}`);
    this.notify();
  }

  private stopTimers() {
    clearTimeout(this.sendTimer);
    this.playback.stop();
  }

  get marksEchoed(): string[] {
    return this.playback.marksEchoed;
  }

  /** Mid-reply silences on the caller's side (ms): the buffer ran dry between two sentences of one reply. */
  get gaps(): number[] {
    return this.playback.gaps;
  }
}
