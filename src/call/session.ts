/**
 * One phone call, from Twilio's `start` to `stop`, in the order audio flows:
 *
 *   inbound 20 ms frame ─► recording ─► recognizer ─► VAD + echo guard ─► mode (conversation: turn-taking;
 *   voicemail: timing) ─► dialog ─► ReplyPlayer (TTS by sentence ─► pacer) ─► Twilio
 *
 * The call starts in conversation mode when speech recognition is there, else as a voicemail (and becomes one if the
 * recognizer fails mid-call). Every reply ends in `replySettled`, the one place an agent turn is recorded and its
 * action (hang up, transfer) carried out. Everything said and every event goes to the CallObserver as it happens;
 * a failing observer or recording never breaks the call.
 */
import { decode, mulawRms } from "../audio/mulaw.ts";
import { EnergyVad, type Vad } from "../audio/vad.ts";
import { fixedTurn, type Conversation } from "../dialog/conversation.ts";
import { guardHost, type ToolHost } from "../dialog/tools.ts";
import { EV, type Logger } from "../log.ts";
import type { ProviderError } from "../providers/errors.ts";
import { ConversationMode } from "./conversation-mode.ts";
import { EchoGuard } from "./echo-guard.ts";
import type { CallEnv, CallSink, CallStart, RecordingSink } from "./env.ts";
import { guardObserver, type CallMode, type CallObserver } from "./observer.ts";
import { ReplyPlayer, type ReplyOutcome } from "./reply-player.ts";
import { VoicemailMode } from "./voicemail.ts";

export type { CallEnv, CallSink, CallStart, Telephony } from "./env.ts";

export class CallSession {
  readonly callSid: string;
  mode: CallMode;
  private log: Logger;
  private observer: CallObserver;
  /** The dialog's tools' host, its failures logged (a CRM hiccup is reported to the model, never fatal). */
  private host: ToolHost;
  private player: ReplyPlayer;
  private vad: Vad;
  private echo = new EchoGuard();
  private recorder?: RecordingSink;
  private conversation?: ConversationMode;
  private voicemail?: VoicemailMode;
  private lastVoicedAt = 0;
  private ending = false;
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
    this.observer = guardObserver(env.observer, (what, err) => this.log.error(EV.CRM_WRITE_FAILED, { what: `observer.${what}`, err }));
    this.host = guardHost(env.dialog.host, (method, err) => this.log.error(EV.CALL_TOOL_FAILED, { method, err }));
    this.mode = env.providers.stt ? "conversation" : "voicemail";
    this.vad = env.vad?.() ?? new EnergyVad();
    this.player = new ReplyPlayer({
      clock: env.clock,
      log: this.log,
      sink: {
        frame: (f) => {
          sink.frame(f);
          this.record("agentFrame", f);
          this.echo.played(mulawRms(f), env.clock.now());
        },
        mark: (name) => sink.mark(name),
        clear: () => {
          sink.clear();
          this.record("agentCleared");
          this.echo.cleared(env.clock.now());
        },
      },
      started: (reply) => this.conversation?.started(reply),
      settled: (o) => this.replySettled(o),
      event: (name, value, data) => this.event(name, value, data),
    });
  }

  /** Answers the call: the greeting (conversation) or the voicemail prompt. */
  begin(): void {
    this.observer.started(this.callSid, { streamSid: this.start.streamSid, mode: this.mode, from: this.start.from, to: this.start.to });
    this.openRecording();
    const d = this.env.dialog;
    if (this.mode === "voicemail") return this.startVoicemail(d.lines.voicemailGreeting(d.businessName), "voicemail");
    this.conversation = new ConversationMode({
      env: { ...this.env, observer: this.observer },
      conversation: d.conversation(this.host),
      callSid: this.callSid,
      player: this.player,
      log: this.log,
      event: (name, value, data) => this.event(name, value, data),
      lastVoicedAt: () => this.lastVoicedAt,
      echo: () => ({ echoDelayMs: this.echo.delayMs, echoRatio: Math.round(this.echo.echoRatio * 1000) / 1000 }),
      recognizerFailed: (e) => this.recognizerFailed(e),
    });
    this.conversation.start();
  }

  /** One inbound 20 ms μ-law frame. */
  audio(frame: Uint8Array): void {
    if (this.ended) return;
    this.record("callerFrame", frame);
    this.conversation?.write(frame);
    const now = this.env.clock.now();
    // both see every frame: the VAD learns the noise floor, the echo guard the line's timeline and echo
    const speech = this.vad.isSpeech(decode(frame));
    const voiced = this.echo.admits(mulawRms(frame), now, this.vad.floor) && speech;
    if (voiced) this.lastVoicedAt = now;
    if (this.voicemail) this.voicemail.frame(voiced);
    else this.conversation?.frame(voiced);
  }

  /**
   * Text entered into the call as if the recognizer had heard a complete utterance (the admin app's typed test
   * turn): recorded as the caller's turn and answered once. False when the call cannot take it (ended, voicemail).
   */
  typed(text: string): boolean {
    if (this.ended || !this.conversation || !text.trim()) return false;
    // the typed turn ends now: its reply's latency counts from here, as a spoken one's from the last voiced frame
    this.lastVoicedAt = this.env.clock.now();
    this.conversation.typed(text);
    return true;
  }

  dtmf(digit: string): void {
    this.event(EV.CALL_DTMF, undefined, { digit });
    if (!this.ended) this.conversation?.dtmf(digit);
  }

  mark(name: string): void {
    this.player.mark(name);
  }

  /** The stream ended (Twilio `stop` or the socket closed). */
  end(outcome?: string): void {
    if (this.ended) return;
    this.ending = true;
    // a reply cut off by the hang-up is kept as far as it was heard
    this.player.stop("ended");
    this.ended = true;
    this.conversation?.stop();
    this.voicemail?.stop();
    this.record("close");
    this.observer.ended(this.callSid, { outcome: outcome ?? this.outcome });
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** A reply is being generated or played (or the voicemail prompt). */
  get busy(): boolean {
    return !this.ended && (Boolean(this.player.current) || Boolean(this.voicemail?.prompting));
  }

  /** Resolves when no reply is being generated or played (for a graceful shutdown). */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private event(name: string, value?: number, data?: Record<string, unknown>) {
    this.log.info(name, { value, ...data });
    this.observer.event(this.callSid, name, value, data);
  }

  /** Every reply ends here: the agent's turn is recorded as heard, then its mode and its action move the call on. */
  private replySettled(o: ReplyOutcome) {
    const { reply } = o;
    if (o.heardText) {
      this.observer.turn(this.callSid, {
        role: "agent",
        text: o.heardText,
        at: this.env.clock.date(),
        ...(o.complete ? {} : { interrupted: true }),
        heardMs: o.heardMs,
        latencyMs: reply.latencyMs,
      });
    }
    if (reply.framesSent) this.event(EV.MEDIA_TX, reply.framesSent, { generation: reply.generation, playbackGaps: this.player.gaps.length, ...(o.reason ? { stopped: o.reason } : {}) });
    if (this.ending) return;
    this.voicemail?.settled(o);
    this.conversation?.settled(o);
    if (o.complete && reply.action === "hangup") void this.hangup("hung_up");
    if (o.complete && reply.action === "transfer") void this.transfer();
    if (!this.busy) for (const w of this.idleWaiters.splice(0)) w();
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
    if (ok) return;
    this.outcome = "transfer_failed";
    this.log.warn(EV.CALL_TRANSFER_FAILED);
    this.observer.event(this.callSid, EV.CALL_TRANSFER_FAILED);
    // the caller is still on the line: say so and go on listening
    if (!this.ended && this.conversation) {
      this.conversation.turns.speakUnprompted();
      this.player.play(() => fixedTurn([this.env.dialog.lines.noTransfer]), this.env.providers.voices.prompt, { kind: "prompt" });
    }
  }

  private recognizerFailed(error: ProviderError) {
    this.log.error(EV.STT_FAILED, { kind: error.kind, message: error.message });
    if (this.ended || this.voicemail) return;
    this.conversation?.stop();
    this.conversation = undefined;
    this.startVoicemail(this.env.dialog.lines.sttDown, "voicemail_after_stt_error");
  }

  private startVoicemail(prompt: string, reason: string) {
    if (this.mode !== "voicemail") this.observer.modeChanged(this.callSid, "voicemail");
    this.mode = "voicemail";
    this.outcome = "voicemail";
    this.event(EV.CALL_VOICEMAIL, undefined, { reason });
    this.voicemail = new VoicemailMode({
      player: this.player,
      clock: this.env.clock,
      promptWithinMs: this.env.timing.greetingWithinMs,
      voices: this.env.providers.voices,
      lines: this.env.dialog.lines,
      host: this.host,
      event: (n, v, d) => this.event(n, v, d),
    });
    this.voicemail.start(prompt);
  }

  private openRecording() {
    if (!this.env.recording) return;
    try {
      this.recorder = this.env.recording();
      this.observer.recording(this.callSid, this.recorder.path);
    } catch (err) {
      this.recordingFailed(err);
    }
  }

  /** A recording write (no closure: it runs for every frame); the first failure stops recording, never the call. */
  private record(method: "callerFrame" | "agentFrame", frame: Uint8Array): void;
  private record(method: "agentCleared" | "close"): void;
  private record(method: "callerFrame" | "agentFrame" | "agentCleared" | "close", frame?: Uint8Array): void {
    const r = this.recorder;
    if (!r) return;
    try {
      if (method === "callerFrame" || method === "agentFrame") r[method](frame!);
      else r[method]();
    } catch (err) {
      this.recorder = undefined;
      this.recordingFailed(err);
      try {
        r.close();
      } catch {
        // already broken
      }
    }
  }

  private recordingFailed(err: unknown) {
    this.log.error(EV.CALL_RECORDING_FAILED, { err });
    this.observer.event(this.callSid, EV.CALL_RECORDING_FAILED, undefined, { reason: err instanceof Error ? err.message : String(err) });
  }
}
