/**
 * Bookkeeping of one reply being played: its dialog turn, its sentences on the reply's audio timeline, which marks
 * Twilio echoed, and from those (plus the clock since the first frame) how much the caller heard when it stopped.
 * Mark names are `<generation>:<sentence index>:<ms of audio up to the mark>` so echoes of an older reply (Twilio
 * echoes pending marks on `clear`) are recognised and ignored.
 */
import { mulawMs } from "../audio/mulaw.ts";
import type { DialogTurn } from "../dialog/conversation.ts";
import type { TtsProvider } from "../providers/tts.ts";

export interface SentencePlayed {
  text: string;
  startMs: number;
  endMs: number;
  /** A holding line said while the real answer was late: heard, but not part of the dialog's answer. */
  filler: boolean;
  /** Its index in `Reply.produced` (undefined for a holding line). */
  produced?: number;
}

/** `resumed`: the rest of a reply cut by a false interruption (a noise that brought no words), said again. */
export type ReplyKind = "greeting" | "answer" | "prompt" | "resumed";

export class Reply {
  readonly abort = new AbortController();
  readonly sentences: SentencePlayed[] = [];
  /** Every sentence the dialog produced for this reply, in order, whether or not its speech is ready. */
  readonly produced: string[] = [];
  /** The voice it is spoken in (a resumed reply keeps it). */
  voice?: TtsProvider;
  /** For a resumed reply: the kind of the reply it goes on with. */
  resumes?: ReplyKind;
  /** Audio queued so far (ms). */
  queuedMs = 0;
  /** Time the line was quiet inside this reply, between its first frame and the audio queued since (ms). */
  private silentMs = 0;
  /** Audio Twilio confirmed as played (ms, from the last echoed mark). */
  playedMs = 0;
  echoedIndex = -1;
  /** Every sentence has been queued (the dialog is finished). */
  allQueued = false;
  /** The dialog has produced all it will (its model rounds and tools are over); its speech may still be coming. */
  dialogDone = false;
  /** Clock time of the first frame sent. */
  firstFrameAt?: number;
  framesSent = 0;
  /** Sentences whose speech could not be synthesized. */
  failedSentences = 0;
  action?: "hangup" | "transfer";
  /** A speculative reply: audio is prepared but kept here until `ReplyPlayer.release`. */
  held = false;
  readonly heldAudio: Array<{ frames: Uint8Array[]; mark: string; continuing: boolean }> = [];

  constructor(
    readonly generation: number,
    readonly turn: DialogTurn,
    readonly kind: ReplyKind,
    /** Clock time of the caller's last voiced frame before this reply (for latency), if it answers an utterance. */
    readonly lastVoicedAt?: number,
  ) {}

  /**
   * Registers a sentence's audio, queued at clock time `now` (when it is sent at once); returns the mark name to
   * send after it.
   */
  add(text: string, audio: Uint8Array, filler = false, produced?: number, now?: number): string {
    // the line was quiet between the audio before and this one (a holding line, then the late answer): not heard
    if (now !== undefined && this.firstFrameAt !== undefined) this.silentMs += Math.max(0, now - (this.firstFrameAt + this.silentMs + this.queuedMs));
    const startMs = this.queuedMs;
    this.queuedMs += mulawMs(Math.ceil(audio.length / 160) * 160);
    this.sentences.push({ text, startMs, endMs: this.queuedMs, filler, produced });
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

  heardMs(now: number): number {
    const byClock = this.firstFrameAt === undefined ? 0 : Math.min(this.queuedMs, now - this.firstFrameAt - this.silentMs);
    return Math.round(Math.max(this.playedMs, byClock));
  }

  /**
   * The words the caller heard by `heardMs`: whole sentences, then the heard share of the one cut off.
   * `answerOnly` leaves out holding lines (what the dialog's history keeps).
   */
  heardText(heardMs: number, answerOnly = false): string {
    const out: string[] = [];
    for (const s of this.sentences) {
      if (answerOnly && s.filler) continue;
      if (s.endMs <= heardMs) out.push(s.text);
      else if (s.startMs < heardMs) {
        const words = s.text.split(/\s+/);
        const n = Math.floor((words.length * (heardMs - s.startMs)) / (s.endMs - s.startMs));
        if (n > 0) out.push(words.slice(0, n).join(" ") + "…");
      }
    }
    return out.join(" ");
  }

  /**
   * What the caller has not heard in full by `heardMs`: the dialog's sentences from the one cut off on (holding
   * lines left out), including those produced but not yet spoken. What the dialog had not produced is not here.
   */
  unheard(heardMs: number): string[] {
    let from = 0;
    for (const s of this.sentences) if (s.produced !== undefined && s.endMs <= heardMs) from = s.produced + 1;
    return this.produced.slice(from);
  }

  /** Caller's last voiced frame → this reply's first frame (ms), when it answers an utterance. */
  get latencyMs(): number | undefined {
    return this.lastVoicedAt !== undefined && this.firstFrameAt !== undefined ? Math.round(this.firstFrameAt - this.lastVoicedAt) : undefined;
  }
}
