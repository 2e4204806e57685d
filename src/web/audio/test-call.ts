/**
 * One browser test call, end to end: the audio graph (player and capture worklets), the microphone when there is
 * one, the call placed with POST /api/test-calls, the media WebSocket speaking Twilio's protocol, and the 20 ms
 * frame clock. `start` must run inside a click (browsers start audio only after a user gesture).
 */
import workletUrl from "./worklet.js" with { type: "file" };
import { FrameClock } from "./frame-clock.ts";
import { FrameQueue } from "./frame-queue.ts";
import { Microphone, type MicProblem } from "./microphone.ts";
import { AgentPlayback } from "./playback.ts";
import { TwilioStream } from "./twilio-stream.ts";

export interface PlacedCall {
  callSid: string;
  streamUrl: string;
  token: string;
}

export type CallPhase = "starting" | "live" | "ended";

export interface CallSnapshot {
  phase: CallPhase;
  callSid?: string;
  mic: "on" | "muted" | MicProblem;
  micDetail?: string;
  /** Microphone level 0…1. */
  level: number;
  agentSpeaking: boolean;
  framesSent: number;
  framesReceived: number;
  playedMs: number;
  marksEchoed: number;
  clears: number;
  /** Why the call ended, when the server (not the user) ended it. */
  closedBy?: { code: number; reason: string };
}

/**
 * The media socket must be same-origin under the app's CSP (`connect-src 'self'`): the server builds the URL from
 * PUBLIC_BASE_URL, which may name another host than the one this page was opened on — the path is what matters.
 */
export function sameOriginSocketUrl(streamUrl: string, page: Location | URL): string {
  const url = new URL(streamUrl);
  if (url.host === page.host) return streamUrl;
  return `${page.protocol === "https:" ? "wss:" : "ws:"}//${page.host}${url.pathname}`;
}

/** The user hung up before the call was connected. */
export class HungUp extends Error {
  constructor() {
    super("hung up while connecting");
  }
}

export class TestCall {
  private clock?: FrameClock;
  private stream?: TwilioStream;
  private playback?: AgentPlayback;
  private mic?: Microphone;
  private micState: CallSnapshot["mic"] = "on";
  private micDetail?: string;
  private phase: CallPhase = "starting";
  private closedBy?: CallSnapshot["closedBy"];
  callSid?: string;

  private constructor(
    private ctx: AudioContext,
    private onChange: () => void,
  ) {}

  /** A call about to start; call it inside the click (browsers start audio only after a user gesture). */
  static create(onChange: () => void): TestCall {
    return new TestCall(new AudioContext({ latencyHint: "interactive" }), onChange);
  }

  /** Places and connects the call; on failure (or a hang-up meanwhile) everything is closed again and it throws. */
  async start(place: () => Promise<PlacedCall>): Promise<void> {
    try {
      await this.connect(place);
    } catch (err) {
      this.hangUp();
      throw err;
    }
  }

  private async connect(place: () => Promise<PlacedCall>): Promise<void> {
    const ctx = this.ctx;
    await ctx.audioWorklet.addModule(workletUrl);
    this.stillWanted();
    const player = new AudioWorkletNode(ctx, "player", { numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1] });
    player.connect(ctx.destination);
    const queue = new FrameQueue();
    const mic = await Microphone.open(ctx, queue);
    if (mic.ok) this.mic = mic.mic;
    else {
      this.micState = mic.problem;
      this.micDetail = mic.detail;
    }
    this.onChange();
    this.stillWanted();
    const placed = await place();
    this.stillWanted();
    this.callSid = placed.callSid;
    // the frame clock ticks on its own timer and on the player's beat (a hidden tab's timers are throttled, the
    // audio thread is not)
    this.playback = new AgentPlayback(player.port, ctx.sampleRate, (name) => this.stream?.echoMark(name), () => this.clock?.tick());
    const playback = this.playback;
    this.stream = await TwilioStream.open(sameOriginSocketUrl(placed.streamUrl, location), placed.callSid, placed.token, {
      media: (audio) => playback.audio(audio),
      mark: (name) => playback.mark(name),
      clear: () => playback.clear(),
      closed: (code, reason) => {
        if (this.phase === "ended") return;
        this.closedBy = { code, reason };
        this.hangUp();
      },
    });
    const stream = this.stream;
    this.stillWanted();
    this.clock = new FrameClock(() => stream.sendFrame(queue.take()));
    this.clock.start();
    await ctx.resume();
    this.phase = "live";
    this.onChange();
  }

  /** Hung up while connecting: stop here (start() closes what was opened). */
  private stillWanted(): void {
    if (this.phase === "ended") throw new HungUp();
  }

  get snapshot(): CallSnapshot {
    const s = this.stream?.stats;
    return {
      phase: this.phase,
      callSid: this.callSid,
      mic: this.mic ? (this.mic.muted ? "muted" : "on") : this.micState,
      micDetail: this.micDetail,
      level: this.mic && !this.mic.muted ? this.mic.level : 0,
      agentSpeaking: this.playback?.speaking ?? false,
      framesSent: s?.framesSent ?? 0,
      framesReceived: s?.framesReceived ?? 0,
      playedMs: Math.round(this.playback?.playedMs ?? 0),
      marksEchoed: s?.marksEchoed ?? 0,
      clears: s?.clears ?? 0,
      closedBy: this.closedBy,
    };
  }

  setMuted(muted: boolean): void {
    this.mic?.setMuted(muted);
    this.onChange();
  }

  sendDigit(digit: string): void {
    this.stream?.sendDigit(digit);
  }

  /** Ends the call: `stop` to the server, then everything closed. Safe to call at any moment, and again. */
  hangUp(): void {
    const first = this.phase !== "ended";
    this.phase = "ended";
    this.clock?.stop();
    this.stream?.stop();
    this.mic?.close();
    if (this.ctx.state !== "closed") void this.ctx.close().catch(() => {});
    if (first) this.onChange();
  }
}
