/**
 * Voicemail timing: after the prompt and beep, record until the caller has spoken and then been silent for 2 s,
 * or 2 minutes in all, or 10 s without a word. The audio itself is in the call recording.
 */
import { FRAME_MS } from "../audio/mulaw.ts";

export const VOICEMAIL_SILENCE_MS = 2000;
export const VOICEMAIL_MAX_MS = 120_000;
export const VOICEMAIL_NO_SPEECH_MS = 10_000;

export class Voicemail {
  /** The prompt (and beep) is still playing. */
  prompting = true;
  private recording = false;
  private elapsed = 0;
  private silence = 0;
  private spokeMs = 0;

  constructor(private o: { onRecordingStart(): void; onDone(spokeMs: number): void }) {}

  promptDone(): void {
    if (!this.prompting) return;
    this.prompting = false;
    this.recording = true;
    this.o.onRecordingStart();
  }

  frame(voiced: boolean): void {
    if (!this.recording) return;
    this.elapsed += FRAME_MS;
    if (voiced) {
      this.spokeMs += FRAME_MS;
      this.silence = 0;
    } else this.silence += FRAME_MS;
    const done =
      (this.spokeMs > 0 && this.silence >= VOICEMAIL_SILENCE_MS) || this.elapsed >= VOICEMAIL_MAX_MS || (this.spokeMs === 0 && this.elapsed >= VOICEMAIL_NO_SPEECH_MS);
    if (done) {
      this.recording = false;
      this.o.onDone(this.spokeMs);
    }
  }

  stop(): void {
    this.recording = false;
  }
}
