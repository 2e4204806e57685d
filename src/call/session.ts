/**
 * One phone call, from Twilio's `start` to `stop`: inbound frames → recorder, recognizer, VAD → turn-taker;
 * utterances → dialog → TTS sentence by sentence → pacer → Twilio. Barge-in aborts the reply's AbortSignal and clears
 * Twilio's buffer. Without speech recognition (or when it fails mid-call) the call becomes a voicemail.
 * Everything said and every event goes to the CallObserver as it happens.
 */
import { decode } from "../audio/mulaw.ts";
import { BEEP } from "../audio/tones.ts";
import { EnergyVad, type Vad } from "../audio/vad.ts";
import { UNHEARD, type Conversation, type DialogOutput } from "../dialog/conversation.ts";
import type { Lines } from "../dialog/lines.ts";
import type { ToolHost } from "../dialog/tools.ts";
import { EV, type Logger } from "../log.ts";
import type { ProviderError } from "../providers/errors.ts";
import type { SttProvider, SttSession } from "../providers/stt.ts";
import type { TtsProvider } from "../providers/tts.ts";
import type { CallMode, CallObserver } from "./observer.ts";
import type { PacerSink } from "./pacer.ts";
import { CallRecorder } from "./recorder.ts";
import type { Reply } from "./reply.ts";
import { ReplyPlayer } from "./reply-player.ts";
import { Speculation } from "./speculation.ts";
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
  /** The recognizer produced a result (after a failure it has recovered). */
  onSttOk?: () => void;
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
  private player: ReplyPlayer;
  private vad: Vad;
  private stt?: SttSession;
  private recorder?: CallRecorder;
  private conversation: Conversation;
  private host: ToolHost;
  private voicemail?: Voicemail;
  private lastVoicedWall = 0;
  /** The utterance being answered (carried into the next one if the caller keeps talking before any reply). */
  private answering = "";
  /** An answer started on a final transcript while the silence window still runs. */
  private speculation: Speculation;
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
    this.player = new ReplyPlayer({
      frame: (f) => {
        sink.frame(f);
        this.recorder?.agentFrame(f);
      },
      mark: (name) => sink.mark(name),
      clear: () => {
        sink.clear();
        this.recorder?.agentCleared();
      },
      started: () => this.turns.replyStarted(),
      finished: (reply) => this.onReplyFinished(reply),
      event: (name, value, data) => this.event(name, value, data),
      log: this.log,
    });
    this.turns = new TurnTaker({
      eouSilenceMs: env.eouSilenceMs,
      bargeInMs: env.bargeInMs,
      onUtterance: (u) => this.onUtterance(u),
      onBargeIn: (b) => this.onBargeIn(b.state, b.speechMs),
      onSpeech: () => this.speculation.cancel(),
    });
    this.speculation = new Speculation(this.player, this.conversation, env.replyTts);
  }

  /** Answers the call: greeting (conversation) or voicemail prompt. */
  begin(): void {
    this.env.observer.started(this.callSid, { streamSid: this.start.streamSid, mode: this.mode, from: this.start.from, to: this.start.to });
    if (this.env.recordingsDir) {
      try {
        this.recorder = new CallRecorder(this.env.recordingsDir, this.callSid);
        this.env.observer.recording(this.callSid, this.recorder.path);
      } catch (err) {
        this.log.error(EV.CALL_RECORDING_FAILED, { err });
      }
    }
    if (this.mode === "voicemail") return this.startVoicemail(this.env.lines.voicemailGreeting(this.env.businessName()), "voicemail");
    this.stt = this.env.stt!.open({
      language: this.env.sttLanguage,
      phraseHints: this.env.phraseHints(),
      onResult: (r) => {
        this.env.onSttOk?.();
        this.log.info(r.isFinal ? EV.STT_FINAL : EV.STT_PARTIAL, { text: r.text, value: r.endMs });
        if (r.isFinal) this.env.observer.event(this.callSid, EV.STT_FINAL, r.endMs, { text: r.text });
        this.turns.transcript(r);
        const pending = r.isFinal && !this.voicemail ? this.turns.pendingText() : undefined;
        if (pending && this.speculation.start(pending, this.lastVoicedWall)) this.log.debug(EV.REPLY_SPECULATIVE, { text: pending });
      },
      onError: (e) => this.onSttError(e),
      onRestart: (reason) => this.event(EV.STT_RESTART, undefined, { reason }),
    });
    this.turns.speakUnprompted();
    this.player.play(() => lines([this.conversation.greeting()]), this.env.promptTts);
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
    this.event(EV.CALL_DTMF, undefined, { digit });
    if (digit !== "0" || this.voicemail || this.ended || !this.host.canTransfer) return;
    this.interrupt();
    this.turns.speakUnprompted();
    this.player.play(() => lines([this.env.lines.transferring], "transfer"), this.env.promptTts);
  }

  mark(name: string): void {
    this.player.mark(name);
  }

  /** The stream ended (Twilio `stop` or the socket closed). */
  end(outcome?: string): void {
    if (this.ended) return;
    // a reply cut off by the hang-up is kept as far as it was heard
    this.interrupt();
    this.ended = true;
    this.player.stop();
    this.stt?.close();
    this.recorder?.close();
    this.voicemail?.stop();
    this.env.observer.ended(this.callSid, { outcome: outcome ?? this.outcome });
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves when no reply is being generated or played (for a graceful shutdown). */
  idle(): Promise<void> {
    if (this.ended || (!this.player.current && !this.voicemail?.prompting)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private event(name: string, value?: number, data?: Record<string, unknown>) {
    this.log.info(name, { value, ...data });
    this.env.observer.event(this.callSid, name, value, data);
  }

  private onUtterance(u: Utterance) {
    this.event(EV.EOU_MS, u.silenceMs, { fromInterim: u.fromInterim });
    this.env.observer.turn(this.callSid, { role: "caller", text: u.newText, at: new Date() });
    this.answering = u.text;
    if (this.speculation.take(u.text)) return;
    this.player.play((signal) => this.conversation.respond(u.text, signal), this.env.replyTts, this.lastVoicedWall);
  }

  private onBargeIn(state: string, speechMs: number) {
    this.event(EV.BARGE_IN, speechMs, { state });
    const reply = this.player.current;
    if (!reply) return;
    if (state === "thinking" && reply.firstFrameWall === undefined) {
      // nothing was said yet: the caller simply kept talking; answer both parts together
      this.player.abandon();
      this.turns.carryOver(this.answering);
      this.notifyIdle();
      return;
    }
    this.interrupt();
  }

  /** Stops the current reply at once and keeps what the caller heard of it. */
  private interrupt() {
    if (this.player.current?.firstFrameWall === undefined) {
      // nothing of it was played (still thinking, or a held speculative answer): nobody heard it
      if (this.player.abandon(UNHEARD)) this.notifyIdle();
      return;
    }
    const reply = this.player.interrupt();
    if (!reply) return;
    const heardMs = reply.heardMs(performance.now());
    const heard = reply.heardText(heardMs);
    this.conversation.heard(heard);
    if (reply.sentences.length) this.env.observer.turn(this.callSid, { role: "agent", text: heard || "…", at: new Date(), interrupted: true, heardMs, latencyMs: reply.latencyMs });
    this.event(EV.MEDIA_TX, reply.framesSent, { generation: reply.generation, playbackGaps: this.player.gaps.length });
    this.notifyIdle();
  }

  private onReplyFinished(reply: Reply) {
    if (reply.sentences.length) {
      this.env.observer.turn(this.callSid, { role: "agent", text: reply.fullText, at: new Date(), heardMs: Math.round(reply.queuedMs), latencyMs: reply.latencyMs });
      this.event(EV.MEDIA_TX, reply.framesSent, { generation: reply.generation, playbackGaps: this.player.gaps.length });
    }
    this.turns.replyDone();
    if (this.voicemail?.prompting) this.voicemail.promptDone();
    this.notifyIdle();
    if (reply.action === "hangup") void this.hangup("hung_up");
    if (reply.action === "transfer") void this.transfer();
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
    this.event(EV.CALL_TRANSFER);
    const ok = await this.env.telephony.transfer(this.callSid).catch(() => false);
    if (!ok) this.log.warn(EV.CALL_TRANSFER_FAILED);
  }

  private onSttError(error: ProviderError) {
    this.log.error(EV.STT_FAILED, { kind: error.kind, message: error.message });
    this.env.onSttError?.(error);
    if (this.ended || this.voicemail) return;
    this.stt = undefined;
    this.interrupt();
    this.startVoicemail(this.env.lines.sttDown, "voicemail_after_stt_error");
  }

  /** Prompt and beep, then record until the caller is done; then thank and hang up. */
  private startVoicemail(prompt: string, reason: string) {
    if (this.mode !== "voicemail") this.env.observer.modeChanged(this.callSid, "voicemail");
    this.mode = "voicemail";
    this.outcome = "voicemail";
    this.event(EV.CALL_VOICEMAIL, undefined, { reason });
    this.voicemail = new Voicemail({
      onRecordingStart: () => this.event(EV.VOICEMAIL_RECORDING),
      onDone: (spokeMs) => {
        this.event(EV.VOICEMAIL_SAVED, spokeMs);
        this.host.saveLead({ notes: `Voicemail (${Math.round(spokeMs / 1000)} s) — see the call recording` });
        this.player.play(() => lines([this.env.lines.voicemailThanks], "hangup"), this.env.promptTts);
      },
    });
    const promptTts = this.env.promptTts;
    this.player.play(() => lines([prompt]), {
      name: "prompt+beep",
      synthesize: async (text, signal) => {
        const speech = await promptTts.synthesize(text, signal);
        return Buffer.concat([speech, new Uint8Array(1600).fill(0xff), BEEP]); // 200 ms pause before the beep
      },
    });
  }
}

/** Fixed sentences (and an action after them) as dialog output. */
async function* lines(sentences: string[], action?: "hangup" | "transfer"): AsyncGenerator<DialogOutput> {
  for (const text of sentences) yield { type: "say", text };
  if (action) yield { type: "action", action };
}
