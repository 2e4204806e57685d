/**
 * Bookkeeping of one reply being played: its sentences on the reply's audio timeline, which marks Twilio echoed,
 * and from those (plus the wall clock since the first frame) how much the caller heard when interrupted.
 * Mark names are `<generation>:<sentence index>:<ms of audio up to the mark>` so echoes of an older reply (Twilio
 * echoes pending marks on `clear`) are recognised and ignored.
 */
import { mulawMs } from "../audio/mulaw.ts";

export interface SentencePlayed {
  text: string;
  startMs: number;
  endMs: number;
}

export class Reply {
  readonly abort = new AbortController();
  readonly sentences: SentencePlayed[] = [];
  /** Audio queued so far (ms). */
  queuedMs = 0;
  /** Audio Twilio confirmed as played (ms, from the last echoed mark). */
  playedMs = 0;
  echoedIndex = -1;
  /** Every sentence has been queued (the dialog is finished). */
  allQueued = false;
  firstFrameWall?: number;
  framesSent = 0;
  action?: "hangup" | "transfer";
  /** A speculative reply: audio is prepared but kept here until `ReplyPlayer.release`. */
  held = false;
  readonly heldAudio: Array<{ frames: Uint8Array[]; mark: string; continuing: boolean }> = [];

  constructor(
    readonly generation: number,
    /** Wall time of the caller's last voiced frame before this reply (for latency), if it answers an utterance. */
    readonly lastVoicedWall?: number,
  ) {}

  /** Registers a sentence's audio; returns the mark name to send after it. */
  add(text: string, audio: Uint8Array): string {
    const startMs = this.queuedMs;
    this.queuedMs += mulawMs(Math.ceil(audio.length / 160) * 160);
    this.sentences.push({ text, startMs, endMs: this.queuedMs });
    return `${this.generation}:${this.sentences.length - 1}:${Math.round(this.queuedMs)}`;
  }

  /** Handles an echoed mark; false when it belongs to another reply. */
  echo(name: string): boolean {
    const [gen, index, ms] = name.split(":").map(Number);
    if (gen !== this.generation || index === undefined || ms === undefined) return false;
    this.echoedIndex = Math.max(this.echoedIndex, index);
    this.playedMs = Math.max(this.playedMs, ms);
    return true;
  }

  /** Played to the end: everything queued and the last sentence's mark echoed. */
  get finished(): boolean {
    return this.allQueued && this.echoedIndex >= this.sentences.length - 1;
  }

  heardMs(nowWall: number): number {
    const byClock = this.firstFrameWall === undefined ? 0 : Math.min(this.queuedMs, nowWall - this.firstFrameWall);
    return Math.round(Math.max(this.playedMs, byClock));
  }

  /** The words the caller heard by `heardMs`: whole sentences, then the heard share of the one cut off. */
  heardText(heardMs: number): string {
    const out: string[] = [];
    for (const s of this.sentences) {
      if (s.endMs <= heardMs) out.push(s.text);
      else if (s.startMs < heardMs) {
        const words = s.text.split(/\s+/);
        const n = Math.floor((words.length * (heardMs - s.startMs)) / (s.endMs - s.startMs));
        if (n > 0) out.push(words.slice(0, n).join(" ") + "…");
      }
    }
    return out.join(" ");
  }

  /** Caller's last voiced frame → this reply's first frame (ms), when it answers an utterance. */
  get latencyMs(): number | undefined {
    return this.lastVoicedWall && this.firstFrameWall ? Math.round(this.firstFrameWall - this.lastVoicedWall) : undefined;
  }

  get fullText(): string {
    return this.sentences.map((s) => s.text).join(" ");
  }
}
