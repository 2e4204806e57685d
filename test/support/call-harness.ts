/**
 * A deterministic call harness: a CallSession on a virtual clock, with every outside party scripted — the caller's
 * 20 ms frames, Twilio's playback (marks echoed as played, `clear`), the recognizer's results, the TTS, the model's
 * tokens, the recording sink, the observer, the tool host and the telephony. The production call engine and the
 * production provider assembly (health breakers, caches) run unchanged; only the vendors at the edge are scripted.
 * A whole call runs in milliseconds, and the same script gives the same call every time.
 */
import { FRAME_MS, MULAW_SILENCE, toFrames } from "../../src/audio/mulaw.ts";
import type { CallEnv, CallStart, CallTiming } from "../../src/call/env.ts";
import { CallSession } from "../../src/call/session.ts";
import { assembleProviders, type Providers } from "../../src/compose/providers.ts";
import { Conversation } from "../../src/dialog/conversation.ts";
import { linesFor } from "../../src/dialog/lines.ts";
import type { Fields, Logger } from "../../src/log.ts";
import { PhoneLine, type LineOptions } from "../../src/sim/line.ts";
import { TwilioPlayback } from "../../src/sim/playback.ts";
import { FakeHost, FakeRecording, FakeTelephony, RecordingObserver } from "./scripted-parties.ts";
import { ScriptedLlm, ScriptedStt, ScriptedTts, toneMs } from "./scripted-vendors.ts";
import { VirtualClock } from "./virtual-clock.ts";

export { FakeHost, FakeRecording, FakeTelephony, RecordingObserver } from "./scripted-parties.ts";
export { ScriptedLlm, ScriptedStt, ScriptedTts, talking, toneMs, type ModelTurn } from "./scripted-vendors.ts";
export { VirtualClock } from "./virtual-clock.ts";

/** A logger that keeps its lines (the call's log, to assert on). */
export function capturingLogger(lines: Array<Record<string, unknown>>, base: Fields = {}): Logger {
  const at = (level: string) => (event: string, fields?: Fields) => void lines.push({ level, event, ...base, ...fields });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (f) => capturingLogger(lines, { ...base, ...f }) };
}

// ── the harness ─────────────────────────────────────────────────────────────────────────────────────────────────

export interface HarnessOptions {
  llm?: boolean;
  /** No recognizer: the call is a voicemail. */
  stt?: boolean;
  language?: "he-IL" | "en-US";
  timing?: Partial<CallTiming>;
  line?: LineOptions;
}

export function createHarness(o: HarnessOptions = {}) {
  const clock = new VirtualClock();
  const stt = new ScriptedStt(clock);
  const tts = new ScriptedTts("google-tts", clock);
  const offline = new ScriptedTts("espeak-ng", clock);
  const llm = o.llm ? new ScriptedLlm(clock) : undefined;
  const logLines: Array<Record<string, unknown>> = [];
  const log = capturingLogger(logLines);
  const readiness: Array<{ component: string; status: string; reason?: string }> = [];
  const providers: Providers = assembleProviders(
    { stt: o.stt === false ? undefined : stt, tts, offline, llm, defaultVoice: "en-US-Wavenet-D", firstTokenMs: o.timing?.firstTokenMs ?? 4000, clock, log },
    (component, status, reason) => void readiness.push({ component, status, reason }),
  );
  const observer = new RecordingObserver();
  const telephony = new FakeTelephony();
  const host = new FakeHost(telephony);
  const recording = new FakeRecording();
  const language = o.language ?? "en-US";
  const lines = linesFor(language);
  let recordingFails = false;

  const env = (start: CallStart): CallEnv => ({
    timing: { eouSilenceMs: 500, bargeInMs: 200, firstTokenMs: 4000, answerGraceMs: 3000, greetingWithinMs: 1500, ...o.timing },
    providers: { stt: providers.stt, sttLanguage: language, phraseHints: [], voices: providers.voices(undefined, language) },
    dialog: {
      lines,
      businessName: "Dana's Plumbing",
      host,
      conversation: (h) => new Conversation({ lines, host: h, businessName: "Dana's Plumbing", llm: providers.llm, systemPrompt: providers.llm ? "be brief" : undefined }),
    },
    observer,
    telephony,
    recording: () => {
      if (recordingFails) throw new Error(`EACCES: permission denied, open '/recordings/${start.callSid}.wav' (scripted)`);
      return recording;
    },
    clock,
    log,
  });

  return {
    clock,
    stt,
    tts,
    offline,
    llm,
    providers,
    readiness,
    observer,
    host,
    telephony,
    recording,
    lines,
    logLines,
    /** Log lines of `event`. */
    logged: (event: string) => logLines.filter((l) => l.event === event),
    env,
    /** The recording cannot even be opened. */
    failRecording() {
      recordingFails = true;
    },
    /** Starts a call (CallSession.begin) and the caller's frames. */
    call(c: { from?: string; callSid?: string; make?: (start: CallStart, sink: HarnessSink) => CallSession } = {}) {
      return new HarnessCall(clock, { callSid: c.callSid ?? "CAharness", streamSid: "MZharness", from: c.from, to: "+97231234567" }, c.make ?? ((s, sink) => new CallSession(env(s), s, sink)), o.line);
    },
  };
}

export type Harness = ReturnType<typeof createHarness>;

export interface HarnessSink {
  frame(frame: Uint8Array): void;
  mark(name: string): void;
  clear(): void;
  close(reason: string): void;
}

/** One call on the harness: Twilio's side of it (frames in real time, playback, marks) and the caller's voice. */
export class HarnessCall {
  readonly session: CallSession;
  /** Agent frames as Twilio received them: time and the reply generation of the mark that followed. */
  readonly frames: number[] = [];
  readonly clears: number[] = [];
  readonly marks: string[] = [];
  closedWith?: string;
  private outgoing: Uint8Array[] = [];
  private playback: TwilioPlayback;
  private line: PhoneLine;
  private feed: unknown;
  private ended = false;

  constructor(
    private clock: VirtualClock,
    readonly start: CallStart,
    make: (start: CallStart, sink: HarnessSink) => CallSession,
    line?: LineOptions,
  ) {
    this.line = new PhoneLine(line);
    // marks come back over the network: a millisecond later, never inside the send
    this.playback = new TwilioPlayback((name) => clock.setTimer(() => !this.ended && this.session.mark(name), 1), () => {}, { clock, onPlay: (f, at) => this.line.agentPlayed(f, at) });
    const sink: HarnessSink = {
      frame: (f) => {
        this.frames.push(clock.now());
        this.playback.media(f, clock.now());
      },
      mark: (name) => {
        this.marks.push(name);
        this.playback.mark(name, clock.now());
      },
      clear: () => {
        this.clears.push(clock.now());
        this.playback.clear();
      },
      close: (reason) => {
        this.closedWith = reason;
        clock.setTimer(() => this.hangup(), 1);
      },
    };
    this.session = make(start, sink);
    this.session.begin();
    const tick = () => {
      if (this.ended) return;
      const said = this.outgoing.shift() ?? SILENCE;
      this.session.audio(this.line.mix(said, clock.now()));
      this.feed = clock.setTimer(tick, FRAME_MS);
    };
    this.feed = clock.setTimer(tick, FRAME_MS);
  }

  /** The caller speaks for `ms` (a voiced tone; the recognizer's next transcript is `text`). */
  say(text: string, stt: ScriptedStt, ms = 800): void {
    stt.transcripts.push(text);
    this.speak(toneMs(ms, 220, 5000));
  }

  /** Queues caller audio (μ-law), sent a frame every 20 ms. */
  speak(mulaw: Uint8Array): void {
    this.outgoing.push(...toFrames(mulaw));
  }

  /** Lets `ms` of call time pass. */
  run(ms: number): Promise<void> {
    return this.clock.advance(ms);
  }

  /** Runs until `pred` holds (checked every 20 ms of call time), failing after `maxMs`. */
  async until(pred: () => boolean, maxMs = 30_000, what = "condition"): Promise<void> {
    for (let waited = 0; !pred(); waited += FRAME_MS) {
      if (waited >= maxMs) throw new Error(`${what} not reached within ${maxMs} ms of call time`);
      await this.clock.advance(FRAME_MS);
    }
  }

  /** Runs until the agent has said something and has been quiet (nothing queued at Twilio) for `quietMs`. */
  async untilQuiet(quietMs = 400, maxMs = 30_000): Promise<void> {
    await this.until(() => this.frames.length > 0 && this.playback.idle && this.clock.now() - this.frames.at(-1)! >= quietMs && !this.session.busy, maxMs, "quiet");
  }

  /** Runs until agent audio newer than now has been sent and then the agent is quiet again. */
  async answered(maxMs = 30_000): Promise<void> {
    const since = this.clock.now();
    await this.until(() => this.frames.some((f) => f > since), maxMs, "agent audio");
    await this.untilQuiet(400, maxMs);
  }

  /** Agent frames sent after call time `t`. */
  framesAfter(t: number): number {
    return this.frames.filter((f) => f > t).length;
  }

  /** Twilio's `stop`. */
  hangup(): void {
    if (this.ended) return;
    this.ended = true;
    this.clock.clearTimer(this.feed);
    this.playback.stop();
    this.session.end();
  }
}

const SILENCE = new Uint8Array(160).fill(MULAW_SILENCE);

