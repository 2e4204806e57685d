/**
 * Voicemail, the call's second mode (no speech recognition configured, or the recognizer failed mid-call):
 * a prompt and a beep, then record until the caller has spoken and been silent for 2 s, or 2 minutes in all, or
 * 10 s without a word; then the caller's number is kept as a lead, a thank-you is said and the call hangs up.
 * The audio itself is in the call recording.
 */
import { FRAME_MS } from "../audio/mulaw.ts";
import { BEEP } from "../audio/tones.ts";
import { sleep, type Clock } from "../clock.ts";
import { fixedTurn } from "../dialog/conversation.ts";
import type { Lines } from "../dialog/lines.ts";
import type { ToolHost } from "../dialog/tools.ts";
import { EV } from "../log.ts";
import type { TtsProvider } from "../providers/tts.ts";
import type { CallVoices } from "./env.ts";
import type { ReplyOutcome, ReplyPlayer } from "./reply-player.ts";

export const VOICEMAIL_SILENCE_MS = 2000;
export const VOICEMAIL_MAX_MS = 120_000;
export const VOICEMAIL_NO_SPEECH_MS = 10_000;
/** Quiet between the prompt and the beep: 200 ms of μ-law silence. */
const PAUSE = new Uint8Array(1600).fill(0xff);

export interface VoicemailDeps {
  player: ReplyPlayer;
  clock: Clock;
  /** The prompt must be ready within this, else the offline voice says it (ms). */
  promptWithinMs: number;
  voices: CallVoices;
  lines: Lines;
  host: ToolHost;
  event(name: string, value?: number, data?: Record<string, unknown>): void;
}

export class VoicemailMode {
  /** The prompt (and beep) is still playing. */
  prompting = true;
  private recording = false;
  private elapsed = 0;
  private silence = 0;
  private spokeMs = 0;

  constructor(private d: VoicemailDeps) {}

  /** Says `prompt` and the beep; recording starts when they have played. */
  start(prompt: string): void {
    const { prompt: voice, rescue } = this.d.voices;
    const withBeep: TtsProvider = {
      name: "prompt+beep",
      synthesize: async (text, signal) => {
        // the prompt must be heard even when its voice fails or hangs: the offline voice says it then
        const late = sleep(this.d.clock, this.d.promptWithinMs, signal).then(() => Promise.reject(new Error("prompt too slow")));
        const speech = await Promise.race([voice.synthesize(text, signal), late]).catch(() => rescue.synthesize(text, signal));
        return Buffer.concat([speech, PAUSE, BEEP]);
      },
    };
    this.d.player.play(() => fixedTurn([prompt]), withBeep, { kind: "prompt" });
  }

  /** A reply of the call is over. */
  settled(o: ReplyOutcome): void {
    if (!this.prompting || o.reply.kind !== "prompt") return;
    this.prompting = false;
    this.recording = true;
    this.d.event(EV.VOICEMAIL_RECORDING);
  }

  /** One inbound frame (`voiced` from the VAD). */
  frame(voiced: boolean): void {
    if (!this.recording) return;
    this.elapsed += FRAME_MS;
    if (voiced) {
      this.spokeMs += FRAME_MS;
      this.silence = 0;
    } else this.silence += FRAME_MS;
    const done =
      (this.spokeMs > 0 && this.silence >= VOICEMAIL_SILENCE_MS) || this.elapsed >= VOICEMAIL_MAX_MS || (this.spokeMs === 0 && this.elapsed >= VOICEMAIL_NO_SPEECH_MS);
    if (!done) return;
    this.recording = false;
    this.d.event(EV.VOICEMAIL_SAVED, this.spokeMs, { recordedMs: this.elapsed });
    try {
      void Promise.resolve(this.d.host.saveLead({ notes: `Voicemail (${Math.round(this.spokeMs / 1000)} s) — see the call recording` })).catch(() => {});
    } catch {
      // the message is in the recording; the lead is lost for now, not the call
    }
    this.d.player.play(() => fixedTurn([this.d.lines.voicemailThanks], "hangup"), this.d.voices.prompt, { kind: "prompt" });
  }

  stop(): void {
    this.recording = false;
  }
}
