/**
 * One phone call, from Twilio's `start` to `stop`: inbound frames → recorder, recognizer, VAD → turn-taker;
 * utterances → dialog → TTS sentence by sentence → pacer → Twilio. Barge-in aborts the reply's AbortSignal and clears
 * Twilio's buffer. Without speech recognition (or when it fails mid-call) the call becomes a voicemail.
 * Everything said and every event goes to the CallObserver as it happens.
 */
import { decode, toFrames } from "../audio/mulaw.ts";
import { BEEP } from "../audio/tones.ts";
import { EnergyVad, type Vad } from "../audio/vad.ts";
import type { Conversation } from "../dialog/conversation.ts";
import type { Lines } from "../dialog/lines.ts";
import type { ToolHost } from "../dialog/tools.ts";
import { EV, type Logger } from "../log.ts";
import type { ProviderError } from "../providers/errors.ts";
import type { SttProvider, SttSession } from "../providers/stt.ts";
import type { TtsProvider } from "../providers/tts.ts";
import type { CallMode, CallObserver } from "./observer.ts";
import { Pacer, type PacerSink } from "./pacer.ts";
import { CallRecorder } from "./recorder.ts";
import { Reply } from "./reply.ts";
import { TurnTaker, type Utterance } from "./turn-taker.ts";
import { Voicemail } from "./voicemail.ts";

export interface CallSink extends PacerSink {
  /** Ends the media stream (Twilio then requests the <Connect action>). */
  close(reason: string): void;
}

export interface Telephony {
  transfer(callSid: string): Promise<boolean>;
  hangup(callSid: string): Promise<boolean>;
}

/** What every call shares; built once by the composition root. */
export interface CallEnv {
  eouSilenceMs: number;
  bargeInMs: number;
  sttLanguage: string;
  recordingsDir?: string;
  stt?: SttProvider;
  replyTts: TtsProvider;
  /** Cached TTS for fixed lines (greeting, voicemail prompts). */
  promptTts: TtsProvider;
  lines: Lines;
  phraseHints: () => string[];
  businessName: () => string;
  conversation: (callSid: string, host: ToolHost) => Conversation;
  toolHost: (callSid: string) => ToolHost;
  observer: CallObserver;
  telephony: Telephony;
  log: Logger;
  onSttError?: (error: ProviderError) => void;
  vad?: () => Vad;
}

export interface CallStart {
  callSid: string;
  streamSid: string;
  from?: string;
  to?: string;
}

export class CallSession {
  readonly callSid: string;
  mode: CallMode;
  private log: Logger;
  private turns: TurnTaker;
  private pacer: Pacer;
  private vad: Vad;
  private stt?: SttSession;
  private recorder?: CallRecorder;
  private conversation: Conversation;
  private host: ToolHost;
  private reply?: Reply;
  private generation = 0;
  private voicemail?: Voicemail;
  private lastVoicedWall = 0;
  private ended = false;
  private outcome = "caller_hung_up";
  private idleWaiters: Array<() => void> = [];

  constructor(
    private env: CallEnv,
    private start: CallStart,
    private sink: CallSink,
  ) {
    this.callSid = start.callSid;
    this.log = env.log.child({ callSid: start.callSid });
    this.mode = env.stt ? "conversation" : "voicemail";
    this.vad = env.vad?.() ?? new EnergyVad();
    this.host = env.toolHost(start.callSid);
    this.conversation = env.conversation(start.callSid, this.host);
    this.pacer = new Pacer({
      frame: (f) => this.onFrameSent(f),
      mark: (name) => sink.mark(name),
      clear: () => sink.clear(),
    });
    this.turns = new TurnTaker({
      eouSilenceMs: env.eouSilenceMs,
      bargeInMs: env.bargeInMs,
      onUtterance: (u) => this.onUtterance(u),
      onBargeIn: (b) => this.onBargeIn(b.state, b.speechMs),
    });
  }

  /** Answers the call: greeting (conversation) or voicemail prompt. */
  begin(): void {
    this.env.observer.started(this.callSid, { streamSid: this.start.streamSid, mode: this.mode, from: this.start.from, to: this.start.to });
    if (this.env.recordingsDir) {
      try {
        this.recorder = new CallRecorder(this.env.recordingsDir, this.callSid);
        this.env.observer.recording(this.callSid, this.recorder.path);
      } catch (err) {
        this.log.error("call.recording_failed", { err });
      }
    }
    if (this.mode === "voicemail") return this.startVoicemail(this.env.lines.voicemailGreeting(this.env.businessName()), "voicemail");
    this.stt = this.env.stt!.open({
      language: this.env.sttLanguage,
      phraseHints: this.env.phraseHints(),
      onResult: (r) => {
        this.log.info(r.isFinal ? EV.STT_FINAL : EV.STT_PARTIAL, { text: r.text, value: r.endMs });
        if (r.isFinal) this.env.observer.event(this.callSid, EV.STT_FINAL, r.endMs, { text: r.text });
        this.turns.transcript(r);
      },
      onError: (e) => this.onSttError(e),
      onRestart: (reason) => this.event("stt.restart", undefined, { reason }),
    });
    this.turns.speakUnprompted();
    void this.play(this.greetingOutputs(), undefined, this.env.promptTts);
  }

  private async *greetingOutputs() {
    yield { type: "say" as const, text: this.conversation.greeting() };
  }

  /** One inbound 20 ms μ-law frame. */
  audio(frame: Uint8Array): void {
    if (this.ended) return;
    this.recorder?.callerFrame(frame);
    this.stt?.write(frame);
    const voiced = this.vad.isSpeech(decode(frame));
    if (voiced) this.lastVoicedWall = performance.now();
    if (this.voicemail) return this.voicemail.frame(voiced);
    this.turns.frame(voiced);
  }

  dtmf(digit: string): void {
    this.event("call.dtmf", undefined, { digit });
    if (digit !== "0" || this.voicemail || this.ended) return;
    if (!this.host.canTransfer) return;
    this.interrupt();
    this.turns.speakUnprompted();
    void this.play((async function* (lines: Lines) {
      yield { type: "say" as const, text: lines.transferring };
      yield { type: "action" as const, action: "transfer" as const };
    })(this.env.lines));
  }

  mark(name: string): void {
    const reply = this.reply;
    if (!reply?.echo(name)) return;
    if (reply.finished) this.finishReply(reply);
  }

  /** The stream ended (Twilio `stop` or the socket closed). */
  end(outcome?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.reply?.abort.abort();
    this.pacer.stop();
    this.stt?.close();
    this.recorder?.close();
    this.voicemail?.stop();
    this.env.observer.ended(this.callSid, { outcome: outcome ?? this.outcome });
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when no reply is being generated or played (for a graceful shutdown). */
  idle(): Promise<void> {
    if (this.ended || (!this.reply && !this.voicemail?.prompting)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private event(name: string, value?: number, data?: Record<string, unknown>) {
    this.log.info(name, { value, ...data });
    this.env.observer.event(this.callSid, name, value, data);
  }

  private onUtterance(u: Utterance) {
    this.event(EV.EOU_MS, u.silenceMs, { fromInterim: u.fromInterim });
    this.env.observer.turn(this.callSid, { role: "caller", text: u.newText, at: new Date() });
    const reply = new Reply(++this.generation, this.lastVoicedWall);
    void this.play(this.conversation.respond(u.text, reply.abort.signal), reply);
  }

  private onBargeIn(state: string, speechMs: number) {
    const reply = this.reply;
    this.event(EV.BARGE_IN, speechMs, { state });
    if (!reply) return;
    if (state === "thinking" && !reply.firstFrameWall) {
      // nothing was said yet: the caller simply kept talking; answer both parts together
      reply.abort.abort();
      this.reply = undefined;
      this.pacer.stop();
      this.notifyIdle();
      return;
    }
    this.interrupt();
  }

  /** Stops the current reply at once and keeps what the caller heard of it. */
  private interrupt() {
    const reply = this.reply;
    if (!reply) return;
    reply.abort.abort();
    this.reply = undefined;
    this.pacer.clear();
    this.recorder?.agentCleared();
    const heardMs = reply.heardMs(performance.now());
    const heard = reply.heardText(heardMs);
    this.conversation.heard(heard);
    if (reply.sentences.length) this.env.observer.turn(this.callSid, { role: "agent", text: heard || "…", at: new Date(), interrupted: true, heardMs, latencyMs: this.latency(reply) });
    this.logMediaTx(reply);
    this.notifyIdle();
  }

  /**
   * Plays dialog output: each sentence's TTS starts as soon as the sentence exists, so the first sentence plays
   * while later ones are synthesized; audio is queued in order with a mark after each sentence.
   */
  private async play(outputs: AsyncIterable<{ type: "say"; text: string } | { type: "action"; action: "hangup" | "transfer" }>, reply = new Reply(++this.generation), tts = this.env.replyTts) {
    this.reply = reply;
    const signal = reply.abort.signal;
    const pending: Array<{ text: string; audio: Promise<Uint8Array>; asked: number }> = [];
    let wake: (() => void) | undefined;
    let producing = true;
    const produce = (async () => {
      try {
        for await (const out of outputs) {
          if (signal.aborted) return;
          if (out.type === "action") reply.action = out.action;
          else {
            const audio = tts.synthesize(out.text, signal);
            audio.catch(() => {}); // awaited below; an abort must not surface as unhandled
            pending.push({ text: out.text, audio, asked: performance.now() });
            wake?.();
          }
        }
      } finally {
        producing = false;
        wake?.();
      }
    })();
    try {
      while (!signal.aborted) {
        const next = pending.shift();
        if (!next) {
          if (!producing) break;
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        let audio: Uint8Array;
        try {
          audio = await next.audio;
        } catch (err) {
          if (signal.aborted) break;
          this.log.error("tts.failed", { err, text: next.text });
          continue; // a sentence lost, not the call
        }
        if (signal.aborted) break;
        const markName = reply.add(next.text, audio);
        this.event(EV.TTS_LEN_MS, Math.round(reply.sentences.at(-1)!.endMs - reply.sentences.at(-1)!.startMs), { synthMs: Math.round(performance.now() - next.asked) });
        this.pacer.push(toFrames(audio), markName, reply.sentences.length > 1);
      }
      await produce;
    } catch (err) {
      if (!signal.aborted) this.log.error("call.reply_failed", { err });
    }
    if (signal.aborted || this.reply !== reply) return;
    reply.allQueued = true;
    if (reply.finished) this.finishReply(reply);
  }

  private onFrameSent(frame: Uint8Array) {
    this.sink.frame(frame);
    this.recorder?.agentFrame(frame);
    const reply = this.reply;
    if (!reply) return;
    reply.framesSent++;
    if (reply.firstFrameWall === undefined) {
      reply.firstFrameWall = performance.now();
      this.turns.replyStarted();
    }
  }

  private latency(reply: Reply): number | undefined {
    return reply.lastVoicedWall && reply.firstFrameWall ? Math.round(reply.firstFrameWall - reply.lastVoicedWall) : undefined;
  }

  private logMediaTx(reply: Reply) {
    this.event(EV.MEDIA_TX, reply.framesSent, { generation: reply.generation });
  }

  private finishReply(reply: Reply) {
    if (this.reply !== reply) return;
    this.reply = undefined;
    if (reply.sentences.length) {
      this.env.observer.turn(this.callSid, { role: "agent", text: reply.fullText, at: new Date(), heardMs: Math.round(reply.queuedMs), latencyMs: this.latency(reply) });
      this.logMediaTx(reply);
    }
    this.turns.replyDone();
    this.notifyIdle();
    if (reply.action === "hangup") void this.hangup("hung_up");
    if (reply.action === "transfer") void this.transfer();
    if (this.voicemail?.prompting) this.voicemail.promptDone();
  }

  private notifyIdle() {
    if (!this.voicemail?.prompting) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async hangup(outcome: string) {
    if (this.mode !== "voicemail") this.outcome = outcome;
    const viaRest = await this.env.telephony.hangup(this.callSid).catch(() => false);
    if (!viaRest) this.sink.close(outcome);
  }

  private async transfer() {
    this.outcome = "transferred";
    this.event("call.transfer");
    const ok = await this.env.telephony.transfer(this.callSid).catch(() => false);
    if (!ok) this.log.warn("call.transfer_failed");
  }

  private onSttError(error: ProviderError) {
    this.log.error("stt.failed", { kind: error.kind, message: error.message });
    this.env.onSttError?.(error);
    if (this.ended || this.voicemail) return;
    this.stt = undefined;
    this.interrupt();
    this.startVoicemail(this.env.lines.sttDown, "voicemail_after_stt_error");
  }

  private startVoicemail(prompt: string, reason: string) {
    if (this.mode !== "voicemail") this.env.observer.modeChanged(this.callSid, "voicemail");
    this.mode = "voicemail";
    this.outcome = "voicemail";
    this.event("call.voicemail", undefined, { reason });
    this.voicemail = new Voicemail({
      onRecordingStart: () => this.event("voicemail.recording"),
      onDone: (spokeMs) => {
        this.event("voicemail.saved", spokeMs);
        this.host.saveLead({ notes: `Voicemail (${Math.round(spokeMs / 1000)} s) — see the call recording` });
        void this.play((async function* (lines: Lines) {
          yield { type: "say" as const, text: lines.voicemailThanks };
          yield { type: "action" as const, action: "hangup" as const };
        })(this.env.lines), undefined, this.env.promptTts);
      },
    });
    const beep = BEEP;
    void this.play((async function* () {
      yield { type: "say" as const, text: prompt };
    })(), undefined, {
      name: "prompt+beep",
      synthesize: async (text, signal) => {
        const speech = await this.env.promptTts.synthesize(text, signal);
        return Buffer.concat([speech, new Uint8Array(1600).fill(0xff), beep]); // 200 ms pause before the beep
      },
    });
  }
}
