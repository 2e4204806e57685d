/**
 * A deterministic call harness: a CallSession on a virtual clock, with every outside party scripted — the caller's
 * 20 ms frames, Twilio's playback (marks echoed as played, `clear`), the recognizer's results, the TTS, the model's
 * tokens, the recording sink, the observer, the tool host and the telephony. The production call engine and the
 * production provider assembly (health breakers, caches) run unchanged; only the vendors at the edge are scripted.
 * A whole call runs in milliseconds, and the same script gives the same call every time.
 */
import { decode, encode, FRAME_MS, MULAW_SILENCE, toFrames } from "../../src/audio/mulaw.ts";
import { rms } from "../../src/audio/vad.ts";
import type { CallEnv, CallStart, CallTiming, RecordingSink, Telephony } from "../../src/call/env.ts";
import type { CallMode, CallObserver, TurnRecord } from "../../src/call/observer.ts";
import { CallSession } from "../../src/call/session.ts";
import { sleep, type Clock } from "../../src/clock.ts";
import { assembleProviders, type Providers, type VoiceTts } from "../../src/compose/providers.ts";
import { Conversation } from "../../src/dialog/conversation.ts";
import { linesFor } from "../../src/dialog/lines.ts";
import type { LeadInput, ToolHost } from "../../src/dialog/tools.ts";
import type { Fields, Logger } from "../../src/log.ts";
import { ProviderError } from "../../src/providers/errors.ts";
import type { ChatMessage, LlmChunk, LlmProvider, ToolSpec } from "../../src/providers/llm.ts";
import type { SttOptions, SttProvider, SttSession } from "../../src/providers/stt.ts";
import { PhoneLine, type LineOptions } from "../../src/sim/line.ts";
import { TwilioPlayback } from "../../src/sim/playback.ts";

// ── time ────────────────────────────────────────────────────────────────────────────────────────────────────────

/** A clock that moves only when told to, running due timers in order and letting promises settle in between. */
export class VirtualClock implements Clock {
  private t = 1_000;
  private timers: Array<{ at: number; id: number; fn: () => void }> = [];
  private nextId = 1;

  now = () => this.t;
  date = () => new Date(1_700_000_000_000 + this.t);
  setTimer = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + Math.max(0, ms), id, fn });
    return id;
  };
  clearTimer = (handle: unknown) => {
    const i = this.timers.findIndex((x) => x.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
  };

  /** Moves time forward by `ms`, running every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      let next: (typeof this.timers)[number] | undefined;
      for (const x of this.timers) if (x.at <= end && (!next || x.at < next.at || (x.at === next.at && x.id < next.id))) next = x;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

/** Lets every pending promise reaction run (no real I/O is involved in the harness). */
async function settle() {
  for (let i = 0; i < 4; i++) await new Promise<void>((r) => setImmediate(r));
}

// ── scripted vendors ────────────────────────────────────────────────────────────────────────────────────────────

/** The recognizer: like Google, it hears when the caller speaks and answers each utterance with the next script line. */
export class ScriptedStt implements SttProvider {
  readonly name = "scripted-stt";
  transcripts: string[] = [];
  finalAfterSilenceMs = 250;
  duplicateFinals = false;
  sessions: Array<{ options: SttOptions; fail(error: ProviderError): void; restart(reason: string): void; closed: boolean }> = [];

  constructor(private clock: Clock) {}

  open(o: SttOptions): SttSession {
    let audioMs = 0;
    let speechMs = 0;
    let silenceMs = 0;
    let inSpeech = false;
    let lastInterimAt = 0;
    let failed = false;
    const deliver = (text: string, isFinal: boolean) => {
      const endMs = audioMs;
      this.clock.setTimer(() => !failed && !record.closed && o.onResult({ text, isFinal, stability: isFinal ? 0 : 0.8, endMs }), 0);
    };
    const record = {
      options: o,
      closed: false,
      fail: (error: ProviderError) => {
        failed = true;
        o.onError(error);
      },
      restart: (reason: string) => o.onRestart?.(reason),
    };
    this.sessions.push(record);
    return {
      write: (frame) => {
        if (failed || record.closed) return;
        audioMs += FRAME_MS;
        if (rms(decode(frame)) > 300) {
          silenceMs = 0;
          speechMs += FRAME_MS;
          if (speechMs >= 60) inSpeech = true;
          if (inSpeech && audioMs - lastInterimAt >= 200) {
            lastInterimAt = audioMs;
            deliver((this.transcripts[0] ?? "(unscripted)").split(" ")[0]!, false);
          }
        } else {
          speechMs = 0;
          silenceMs += FRAME_MS;
          if (inSpeech && silenceMs >= this.finalAfterSilenceMs) {
            inSpeech = false;
            const text = this.transcripts.shift() ?? "(unscripted)";
            deliver(text, true);
            if (this.duplicateFinals) deliver(text, true);
          }
        }
      },
      close: () => {
        record.closed = true;
      },
    };
  }
}

/** Text to speech: a tone of `msPerChar` per character after `delayMs`; can fail or hang, for all or some texts. */
export class ScriptedTts implements VoiceTts {
  delayMs = 0;
  msPerChar = 60;
  fail: (text: string, voice: string) => boolean = () => false;
  hang: (text: string, voice: string) => boolean = () => false;
  readonly requests: Array<{ text: string; voice: string }> = [];

  constructor(
    readonly name: string,
    private clock: Clock,
    readonly voice = "default",
    private root?: ScriptedTts,
  ) {}

  withVoice(voice: string): ScriptedTts {
    return new ScriptedTts(this.name, this.clock, voice, this.root ?? this);
  }

  async synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    const root = this.root ?? this;
    root.requests.push({ text, voice: this.voice });
    if (root.hang(text, this.voice)) await new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
    if (root.delayMs) await sleep(this.clock, root.delayMs, signal);
    if (root.fail(text, this.voice)) throw new ProviderError(this.name, "unavailable", true, "scripted failure");
    return toneMs(Math.max(300, text.length * root.msPerChar), 440, 6000);
  }
}

export interface ModelTurn {
  firstTokenMs?: number;
  tokens?: string[];
  tokenMs?: number;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> | string }>;
  /** Fail with this kind of error after firstTokenMs. */
  error?: "unavailable" | "auth";
  /** Never answer (until aborted). */
  hang?: boolean;
}

/** A chat model answering scripted turns, on the virtual clock. */
export class ScriptedLlm implements LlmProvider {
  readonly name = "scripted-llm";
  readonly turns: ModelTurn[] = [];
  fallback: ModelTurn = { tokens: ["Okay."] };
  readonly requests: Array<{ messages: ChatMessage[]; tools?: ToolSpec[] }> = [];

  constructor(private clock: Clock) {}

  async *stream(request: { messages: ChatMessage[]; tools?: ToolSpec[] }, signal: AbortSignal): AsyncIterable<LlmChunk> {
    this.requests.push({ messages: structuredClone(request.messages), tools: request.tools });
    const turn = this.turns.shift() ?? this.fallback;
    if (turn.hang) await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    if (turn.firstTokenMs) await sleep(this.clock, turn.firstTokenMs, signal);
    if (turn.error) throw new ProviderError("llm", turn.error, turn.error !== "auth", "scripted failure");
    for (const text of turn.tokens ?? []) {
      yield { type: "text", text };
      if (turn.tokenMs) await sleep(this.clock, turn.tokenMs, signal);
    }
    if (turn.toolCalls?.length)
      yield {
        type: "tool_calls",
        calls: turn.toolCalls.map((c, i) => ({ id: `call_${i}`, type: "function", function: { name: c.name, arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments) } })),
      };
  }
}

// ── the other parties ───────────────────────────────────────────────────────────────────────────────────────────

export class RecordingObserver implements CallObserver {
  turns: Array<TurnRecord & { callSid: string }> = [];
  events: Array<{ callSid: string; event: string; value?: number; data?: any }> = [];
  starts: Array<{ callSid: string; mode: CallMode; from?: string }> = [];
  ends: Array<{ callSid: string; outcome: string }> = [];
  modes: CallMode[] = [];
  recordings: string[] = [];
  /** Methods that throw (a database failing mid-call). */
  failing = new Set<keyof CallObserver>();

  private check(m: keyof CallObserver) {
    if (this.failing.has(m)) throw new Error(`database is locked (scripted, ${m})`);
  }
  started(callSid: string, info: { streamSid: string; mode: CallMode; from?: string }) {
    this.check("started");
    this.starts.push({ callSid, mode: info.mode, from: info.from });
  }
  turn(callSid: string, turn: TurnRecord) {
    this.check("turn");
    this.turns.push({ callSid, ...turn });
  }
  event(callSid: string, event: string, value?: number, data?: unknown) {
    this.check("event");
    this.events.push({ callSid, event, value, data });
  }
  recording(_callSid: string, path: string) {
    this.check("recording");
    this.recordings.push(path);
  }
  modeChanged(_callSid: string, mode: CallMode) {
    this.check("modeChanged");
    this.modes.push(mode);
  }
  ended(callSid: string, info: { outcome: string }) {
    this.check("ended");
    this.ends.push({ callSid, outcome: info.outcome });
  }
}

export class FakeHost implements ToolHost {
  leads: LeadInput[] = [];
  callbacks: Array<{ when: string; notes?: string }> = [];
  failing = false;
  constructor(private telephony: FakeTelephony) {}
  get canTransfer() {
    return this.telephony.canTransfer;
  }
  saveLead(lead: LeadInput) {
    if (this.failing) throw new Error("database is locked (scripted)");
    this.leads.push(lead);
  }
  scheduleCallback(input: { when: string; notes?: string }) {
    if (this.failing) throw new Error("database is locked (scripted)");
    this.callbacks.push(input);
  }
}

export class FakeTelephony implements Telephony {
  canTransfer = false;
  /** What the REST calls answer (false: no credentials, or Twilio refused). */
  hangupWorks = false;
  transferWorks = true;
  hangups: string[] = [];
  transfers: string[] = [];
  async hangup(callSid: string) {
    this.hangups.push(callSid);
    return this.hangupWorks;
  }
  async transfer(callSid: string) {
    this.transfers.push(callSid);
    return this.transferWorks;
  }
}

export class FakeRecording implements RecordingSink {
  readonly path = "/recordings/scripted.wav";
  callerFrames = 0;
  agentFrames = 0;
  closed = false;
  /** Throw on the n-th caller frame (a disk that fills up mid-call). */
  failAtFrame = Infinity;
  callerFrame() {
    if (++this.callerFrames >= this.failAtFrame) throw new Error("ENOSPC: no space left on device (scripted)");
  }
  agentFrame() {
    this.agentFrames++;
  }
  agentCleared() {}
  close() {
    this.closed = true;
  }
}

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

/** Speech-like caller audio: 180 ms syllables with 60 ms gaps (a steady tone would become the VAD's noise floor). */
export function talking(ms: number): Uint8Array {
  const out = new Uint8Array(Math.round(ms * 8)).fill(MULAW_SILENCE);
  const syllable = toneMs(180, 220, 5000);
  for (let at = 0; at < out.length; at += 240 * 8) out.set(syllable.subarray(0, Math.min(syllable.length, out.length - at)), at);
  return out;
}

/** A tone as μ-law (what the scripted TTS says and the caller's scripted voice). */
export function toneMs(ms: number, hz: number, amplitude: number): Uint8Array {
  const n = Math.round(ms * 8);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / 8000) * amplitude);
  return encode(pcm);
}
