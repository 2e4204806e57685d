/**
 * One Twilio media-stream WebSocket: reads Twilio's messages, checks the stream token on `start` before any provider
 * is touched, hands audio/dtmf/marks to the call, and writes the call's frames, marks and clears back as text
 * frames with the stream's streamSid. Bad input (binary or non-JSON frames, media before `start`, a wrong-size
 * payload, bad base64) is counted and logged, never fatal; unknown events are ignored.
 * Limits a hostile or broken peer cannot get past:
 * - no valid `start` within `startTimeoutMs` (10 s) → closed 1008; a malformed CallSid/StreamSid, a bad token, or a
 *   CallSid that already streamed (or whose call is over) → closed 1008 at `start`;
 * - a started stream with no `media` for `mediaTimeoutMs` (15 s) → its call ends as `connection_lost`;
 * - audio more than 1 s ahead of the wall clock since `start` is dropped and counted (`too_fast`), so a recording
 *   can never be longer than the call.
 */
import { FRAME_BYTES } from "../../audio/mulaw.ts";
import { EV, type Logger } from "../../log.ts";
import { clearMessage, decodePayload, markMessage, mediaMessage, parseInbound, TWILIO_SID, type StartMessage } from "./protocol.ts";

export const START_TIMEOUT_MS = 10_000;
export const MEDIA_TIMEOUT_MS = 15_000;
/** How far (ms of audio) inbound media may run ahead of the wall clock since `start` — Twilio's jitter, and more. */
export const MAX_AHEAD_MS = 1000;
/** 8 bytes of μ-law = 1 ms at 8 kHz. */
const BYTES_PER_MS = 8;

/** The socket as this module needs it (Bun's ServerWebSocket fits). */
export interface SocketLike {
  send(data: string): number;
  close(code?: number, reason?: string): void;
  ping(data?: string | Uint8Array): number;
}

/** The call as the transport drives it (CallSession fits). */
export interface MediaCall {
  begin(): void;
  audio(frame: Uint8Array): void;
  dtmf(digit: string): void;
  mark(name: string): void;
  end(outcome?: string): void;
}

export interface CallSinkLike {
  frame(frame: Uint8Array): void;
  mark(name: string): void;
  clear(): void;
  close(reason: string): void;
}

export interface MediaConnectionDeps {
  log: Logger;
  pingIntervalMs: number;
  /** True when `token` is a valid, unexpired stream token for `callSid`. */
  verifyToken(callSid: string, token: string | undefined): boolean;
  createCall(start: { callSid: string; streamSid: string; from?: string; to?: string }, sink: CallSinkLike): MediaCall;
  /** The call's stream is over (for the live-call registry). */
  onCallEnded?(call: MediaCall): void;
  /** False when this CallSid already had its stream, or its call is over: a second stream is refused. */
  acceptsStream?(callSid: string): boolean;
  /** ms to wait for a valid `start` (default START_TIMEOUT_MS). */
  startTimeoutMs?: number;
  /** ms of no `media` after which a started call is lost (default MEDIA_TIMEOUT_MS). */
  mediaTimeoutMs?: number;
  /** Monotonic clock in ms (tests). */
  now?: () => number;
}

type Problem = "binary" | "not_json" | "invalid" | "media_before_start" | "bad_base64" | "empty" | "wrong_size" | "too_fast";

export class MediaConnection {
  private call?: MediaCall;
  private streamSid?: string;
  private log: Logger;
  private pingTimer?: Timer;
  private pingSentAt = 0;
  private mediaIn = 0;
  private framesOut = 0;
  private closed = false;
  private now: () => number;
  private startTimer?: Timer;
  private watchdog?: Timer;
  private startedAt = 0;
  private lastMediaAt = 0;
  /** ms of inbound audio accepted since `start`. */
  private inboundMs = 0;
  readonly problems: Record<Problem, number> = { binary: 0, not_json: 0, invalid: 0, media_before_start: 0, bad_base64: 0, empty: 0, wrong_size: 0, too_fast: 0 };
  /** Audio of an odd-sized payload waiting to complete a 160-byte frame. */
  private partial = new Uint8Array(0);

  constructor(
    private socket: SocketLike,
    private deps: MediaConnectionDeps,
  ) {
    this.log = deps.log;
    this.now = deps.now ?? (() => performance.now());
    this.pingTimer = setInterval(() => this.ping(), deps.pingIntervalMs);
    const startTimeoutMs = deps.startTimeoutMs ?? START_TIMEOUT_MS;
    this.startTimer = setTimeout(() => this.reject(`no valid start within ${startTimeoutMs} ms`), startTimeoutMs);
  }

  onMessage(data: string | Buffer): void {
    const parsed = parseInbound(data);
    if (parsed.ok === "ignored") return;
    if (parsed.ok === false) return this.problem(parsed.reason, parsed.detail);
    const m = parsed.message;
    switch (m.event) {
      case "connected":
        return;
      case "start":
        return this.onStart(m);
      case "media": {
        if (!this.call) return this.problem("media_before_start");
        this.lastMediaAt = this.now();
        const payload = decodePayload(m.media.payload);
        if (!payload.ok) return this.problem(payload.reason);
        const ms = payload.audio.length / BYTES_PER_MS;
        if (this.inboundMs + ms > this.lastMediaAt - this.startedAt + MAX_AHEAD_MS) return this.problem("too_fast", `${Math.round(this.inboundMs)} ms of audio after ${Math.round(this.lastMediaAt - this.startedAt)} ms`);
        this.inboundMs += ms;
        this.mediaIn++;
        if (!payload.wrongSize && !this.partial.length) return this.call.audio(payload.audio);
        // not 20 ms: logged, and the audio is re-framed rather than lost
        if (payload.wrongSize) this.problem("wrong_size", `${payload.audio.length} bytes`);
        return this.reframe(payload.audio);
      }
      case "dtmf":
        return this.call?.dtmf(m.dtmf.digit);
      case "mark":
        return this.call?.mark(m.mark.name);
      case "stop":
        return this.finish("stop");
    }
  }

  private reframe(audio: Uint8Array): void {
    const joined = new Uint8Array(this.partial.length + audio.length);
    joined.set(this.partial);
    joined.set(audio, this.partial.length);
    let at = 0;
    for (; at + FRAME_BYTES <= joined.length; at += FRAME_BYTES) this.call?.audio(joined.subarray(at, at + FRAME_BYTES));
    this.partial = joined.slice(at);
  }

  onClose(code: number, reason: string): void {
    this.finish(`close ${code}${reason ? ` ${reason}` : ""}`);
  }

  onPong(): void {
    this.log.info(EV.PONG_RX, { value: Math.round(performance.now() - this.pingSentAt) });
  }

  /** Closes a socket that never became a call (1008: policy violation). */
  private reject(reason: string, callSid?: string): void {
    if (this.closed) return;
    this.log.warn(EV.WS_REJECTED, { callSid, reason });
    this.closed = true;
    this.stopTimers();
    this.socket.close(1008, reason);
  }

  private stopTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.startTimer);
    clearInterval(this.watchdog);
  }

  private onStart(m: StartMessage): void {
    if (this.call || this.closed) return; // a second start on one socket is ignored
    const callSid = m.start.callSid;
    if (!TWILIO_SID.test(callSid) || !TWILIO_SID.test(m.streamSid)) return this.reject("malformed CallSid or StreamSid");
    const params = m.start.customParameters;
    const paramSid = params.call_sid ?? callSid;
    if (paramSid !== callSid || !this.deps.verifyToken(callSid, params.token)) return this.reject("invalid stream token", callSid);
    if (this.deps.acceptsStream && !this.deps.acceptsStream(callSid)) return this.reject("this call already had its stream", callSid);
    clearTimeout(this.startTimer);
    this.startedAt = this.lastMediaAt = this.now();
    const mediaTimeoutMs = this.deps.mediaTimeoutMs ?? MEDIA_TIMEOUT_MS;
    this.watchdog = setInterval(() => {
      if (this.now() - this.lastMediaAt < mediaTimeoutMs) return;
      this.log.warn(EV.WS_MEDIA_TIMEOUT, { value: Math.round(this.now() - this.lastMediaAt) });
      this.finish(`no media for ${mediaTimeoutMs} ms`, "connection_lost");
      this.socket.close(1000, "no media: connection lost");
    }, Math.min(1000, Math.max(50, mediaTimeoutMs / 4)));
    this.streamSid = m.streamSid;
    this.log = this.deps.log.child({ callSid });
    this.log.info(EV.WS_START, { streamSid: m.streamSid, tracks: m.start.tracks, mediaFormat: m.start.mediaFormat });
    const streamSid = m.streamSid;
    const sink: CallSinkLike = {
      frame: (frame) => {
        this.framesOut++;
        this.socket.send(mediaMessage(streamSid, frame));
      },
      mark: (name) => void this.socket.send(markMessage(streamSid, name)),
      clear: () => void this.socket.send(clearMessage(streamSid)),
      close: (reason) => {
        this.log.info(EV.WS_CLOSING, { reason });
        this.socket.close(1000, reason.slice(0, 100));
      },
    };
    this.call = this.deps.createCall({ callSid, streamSid, from: params.from, to: params.to }, sink);
    this.call.begin();
  }

  private ping(): void {
    if (this.closed) return;
    this.pingSentAt = performance.now();
    this.socket.ping();
    this.log.info(EV.PING_TX, { value: this.deps.pingIntervalMs });
  }

  private problem(kind: Problem, detail?: string): void {
    const n = ++this.problems[kind];
    // the first few of each kind, then every 100th: a flood of bad frames must not flood the log
    if (n <= 3 || n % 100 === 0) this.log.warn(EV.WS_BAD_FRAME, { kind, count: n, detail });
  }

  private finish(why: string, outcome?: string): void {
    if (this.closed && !this.call) return;
    this.closed = true;
    this.stopTimers();
    const call = this.call;
    this.call = undefined;
    if (!call) return;
    this.log.info(EV.WS_STOP, { why, streamSid: this.streamSid, mediaIn: this.mediaIn, framesOut: this.framesOut, value: this.mediaIn, problems: this.problems });
    call.end(outcome);
    this.deps.onCallEnded?.(call);
  }
}
