/**
 * One Twilio media-stream WebSocket: reads Twilio's messages, checks the stream token on `start` before any provider
 * is touched, hands audio/dtmf/marks to the call, and writes the call's frames, marks and clears back as text
 * frames with the stream's streamSid. Bad input (binary or non-JSON frames, media before `start`, a wrong-size
 * payload, bad base64) is counted and logged, never fatal; unknown events are ignored.
 */
import { FRAME_BYTES } from "../../audio/mulaw.ts";
import { EV, type Logger } from "../../log.ts";
import { clearMessage, decodePayload, markMessage, mediaMessage, parseInbound, type StartMessage } from "./protocol.ts";

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
}

type Problem = "binary" | "not_json" | "invalid" | "media_before_start" | "bad_base64" | "empty" | "wrong_size";

export class MediaConnection {
  private call?: MediaCall;
  private streamSid?: string;
  private log: Logger;
  private pingTimer?: Timer;
  private pingSentAt = 0;
  private mediaIn = 0;
  private framesOut = 0;
  private closed = false;
  readonly problems: Record<Problem, number> = { binary: 0, not_json: 0, invalid: 0, media_before_start: 0, bad_base64: 0, empty: 0, wrong_size: 0 };
  /** Audio of an odd-sized payload waiting to complete a 160-byte frame. */
  private partial = new Uint8Array(0);

  constructor(
    private socket: SocketLike,
    private deps: MediaConnectionDeps,
  ) {
    this.log = deps.log;
    this.pingTimer = setInterval(() => this.ping(), deps.pingIntervalMs);
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
        const payload = decodePayload(m.media.payload);
        if (!payload.ok) return this.problem(payload.reason);
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

  private onStart(m: StartMessage): void {
    if (this.call) return; // a second start on one socket is ignored
    const callSid = m.start.callSid;
    const params = m.start.customParameters;
    const paramSid = params.call_sid ?? callSid;
    if (paramSid !== callSid || !this.deps.verifyToken(callSid, params.token)) {
      this.log.warn(EV.WS_REJECTED, { callSid, reason: "invalid stream token" });
      this.closed = true;
      clearInterval(this.pingTimer);
      this.socket.close(1008, "invalid stream token");
      return;
    }
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

  private finish(why: string): void {
    if (this.closed && !this.call) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    const call = this.call;
    this.call = undefined;
    if (!call) return;
    this.log.info(EV.WS_STOP, { why, streamSid: this.streamSid, mediaIn: this.mediaIn, framesOut: this.framesOut, value: this.mediaIn, problems: this.problems });
    call.end();
    this.deps.onCallEnded?.(call);
  }
}
