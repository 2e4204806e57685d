/**
 * Turn-taking: LISTENING → THINKING → SPEAKING → LISTENING, driven by the VAD verdict of every inbound 20 ms frame
 * and by the recognizer's transcripts. Times are on the call's audio timeline (ms since the first inbound frame),
 * the same timeline the recognizer reports `endMs` on, so the logic is deterministic and testable frame by frame.
 *
 * - End of utterance: the caller spoke, then was silent for `eouSilenceMs`, and a final transcript exists — or,
 *   `graceMs` later, the latest interim. A final alone (speech the VAD missed) also ends the utterance.
 * - Barge-in: `bargeInMs` of caller speech while THINKING or SPEAKING interrupts the reply, counted across the
 *   short pauses between words (BargeInDetector). One that brings no transcript at all within `eouSilenceMs` +
 *   `graceMs` of silence was a noise (a cough, a door): a false interruption, reported so the agent resumes.
 * - Words are never left unanswered: speech that ends with no transcript (noise) while an utterance is carried
 *   over ends the utterance with the carried words alone.
 * - One reply per utterance: transcripts about audio already answered (a repeated final — same end time, or same
 *   text as the utterance's previous final — the final after the interim that was answered) are dropped; so are
 *   short noises the caller makes while the agent speaks.
 */
import { FRAME_MS } from "../audio/mulaw.ts";
import type { SttResult } from "../providers/stt.ts";
import { BargeInDetector } from "./barge-in.ts";

/** How long after a barge-in was taken for a noise its words may still arrive and interrupt after all (ms). */
const LATE_WORDS_MS = 3000;

export type TurnState = "listening" | "thinking" | "speaking";

export interface Utterance {
  /** What to answer: this utterance, after any unanswered one it continues. */
  text: string;
  /** This utterance's own words (for the transcript); empty when carried words alone are answered (the speech after them was noise). */
  newText: string;
  /** Measured silence between the last voiced frame and the end-of-utterance decision (ms). */
  silenceMs: number;
  /** Audio time of the caller's last voiced frame. */
  lastVoicedMs: number;
  /** Whether the text came from an interim result (no final in time). */
  fromInterim: boolean;
}

export interface TurnTakerOptions {
  eouSilenceMs: number;
  bargeInMs: number;
  /** Extra wait for a final before settling for the interim (ms). */
  graceMs?: number;
  /** Voiced frames in a row that start an utterance (ms); filters clicks. */
  minSpeechMs?: number;
  /** Speech with no transcript at all is dropped after this much silence (ms). */
  noTextTimeoutMs?: number;
  onUtterance(u: Utterance): void;
  onBargeIn(info: { state: TurnState; speechMs: number }): void;
  /**
   * The speech that barged in brought no words: a false interruption. `carried`: an utterance carried over is
   * answered next (onUtterance follows at once), so nothing is to be resumed. Words carried during this call
   * (`carryOver`) are answered the same way.
   */
  onFalseBargeIn?(info: { state: TurnState; carried: boolean }): void;
  /** The caller (re)started speaking while LISTENING (after `minSpeechMs` of voice). */
  onSpeech?(): void;
}

export class TurnTaker {
  state: TurnState = "listening";
  private t = 0;
  private voicedRun = 0;
  private inUtterance = false;
  private lastVoicedMs = -Infinity;
  private finals: string[] = [];
  private interim = "";
  /** The latest interim Google rated stable (≥ 0.5): preferred when no final comes in time. */
  private stableInterim = "";
  /** Audio time up to which speech has been answered; transcripts ending before it are stale. */
  private consumedMs = -Infinity;
  /** Audio time the agent last stopped talking; what the caller said over it without barging in is not a turn. */
  private listeningSinceMs = -Infinity;
  /** Voiced speech started after the last consumption (so new transcripts are real). */
  private newSpeech = false;
  /** End of the newest final seen: a final never covers earlier audio than the one before it, a repeat does. */
  private lastFinalEndMs = -Infinity;
  /** The last barge-in taken for a noise: where its speech began and when it was judged (audio ms). */
  private noise?: { fromMs: number; judgedMs: number };
  /** When the latest barge-in's speech began (audio ms). */
  private bargeFromMs = -Infinity;
  /** Text of an utterance whose reply was abandoned while THINKING; it prefixes the next one. */
  private carry = "";
  /** What a barge-in with speech interrupted, until its speech brings a transcript or turns out to be noise. */
  private interrupted?: TurnState;
  private barge: BargeInDetector;

  constructor(private o: TurnTakerOptions) {
    this.barge = new BargeInDetector({ bargeInMs: o.bargeInMs });
  }

  get now(): number {
    return this.t;
  }

  /** One inbound frame: `voiced` from the VAD. Advances the audio clock by 20 ms. */
  frame(voiced: boolean): void {
    this.t += FRAME_MS;
    if (voiced) {
      this.voicedRun += FRAME_MS;
      this.lastVoicedMs = this.t;
    } else this.voicedRun = 0;

    if (this.state !== "listening") {
      if (this.barge.frame(voiced)) this.bargeIn(this.barge.speechMs);
      return;
    }
    if (this.voicedRun >= (this.o.minSpeechMs ?? 60)) {
      this.inUtterance = true;
      this.newSpeech = true;
      if (this.voicedRun === (this.o.minSpeechMs ?? 60)) this.o.onSpeech?.();
    }
    if (this.inUtterance && !voiced) this.checkEndOfUtterance();
  }

  /** The final text of the utterance so far, while the caller may still go on (for a speculative answer). */
  pendingText(): string | undefined {
    if (this.state !== "listening" || !this.inUtterance || !this.finals.length) return undefined;
    return [this.carry, this.finals.join(" ")].filter(Boolean).join(" ").trim();
  }

  /** A transcript from the recognizer. */
  transcript(r: SttResult): void {
    if (!r.text) return;
    // words of a barge-in that was taken for a noise (the recognizer slower than the window) while the agent has
    // resumed: an interruption after all — stop the agent and answer them, rather than drop the caller's words
    if (this.state !== "listening" && this.noise && r.endMs > this.noise.fromMs && this.t - this.noise.judgedMs <= LATE_WORDS_MS) {
      this.noise = undefined;
      this.bargeIn(FRAME_MS);
    }
    const stale = r.endMs <= Math.max(this.consumedMs + 300, this.listeningSinceMs) && !this.newSpeech;
    if (this.state !== "listening" || stale) return;
    if (r.isFinal) {
      // the same final again: Google may resend one, even with a later end time (800 ms, then 840 ms)
      if (r.endMs <= this.lastFinalEndMs || sameText(r.text, this.finals.at(-1))) return;
      this.lastFinalEndMs = r.endMs;
      this.finals.push(r.text);
      this.interim = "";
      this.stableInterim = "";
      // speech the VAD did not see: the final itself says the caller spoke
      if (!this.inUtterance) {
        this.inUtterance = true;
        this.newSpeech = true;
        if (!Number.isFinite(this.lastVoicedMs) || this.lastVoicedMs < this.consumedMs) this.lastVoicedMs = Math.min(this.t, r.endMs);
      }
      this.checkEndOfUtterance();
    } else {
      this.interim = r.text;
      if (r.stability >= 0.5) this.stableInterim = r.text;
    }
  }

  /** The first frame of the reply went out. */
  replyStarted(): void {
    if (this.state === "thinking") this.state = "speaking";
  }

  /** The reply finished playing (last mark echoed), or there was nothing to say. */
  replyDone(): void {
    if (this.state === "listening") return;
    this.state = "listening";
    this.voicedRun = 0;
    this.listeningSinceMs = this.t;
  }

  /** Puts the machine in SPEAKING for audio not caused by an utterance (the greeting). */
  speakUnprompted(): void {
    if (this.state === "listening") this.barge.reset();
    this.state = "speaking";
    this.interrupted = undefined;
  }

  /**
   * A complete utterance given as text (a typed turn of the admin app's test call), as if the recognizer had
   * sent its final and the caller had stopped: answered now, once. Over the agent, it interrupts like speech;
   * with speech under way, that speech so far is part of it, and transcripts of audio before now are stale.
   */
  complete(text: string): void {
    const typed = text.trim();
    if (!typed) return;
    if (this.state !== "listening") this.bargeIn(0);
    this.finals.push(typed);
    this.lastFinalEndMs = Math.max(this.lastFinalEndMs, this.t);
    this.endUtterance(this.finals.join(" ").trim(), 0, false);
  }

  private checkEndOfUtterance(): void {
    const silence = this.t - this.lastVoicedMs;
    if (silence < this.o.eouSilenceMs) return;
    const finalText = this.finals.join(" ").trim();
    if (finalText) return this.endUtterance(finalText, silence, false);
    const interim = this.stableInterim || this.interim;
    const grace = this.o.graceMs ?? 300;
    if (interim && silence >= this.o.eouSilenceMs + grace) return this.endUtterance(interim, silence, true);
    // noise, not words: after a barge-in, as soon as a transcript would have come; otherwise after a long wait
    if (this.interrupted ? silence >= this.o.eouSilenceMs + grace : silence >= this.o.eouSilenceMs + (this.o.noTextTimeoutMs ?? 2000)) this.noWords(silence);
  }

  /** Speech that brought no transcript: dropped — but words carried over are still answered. */
  private noWords(silenceMs: number): void {
    const interrupted = this.interrupted;
    this.interrupted = undefined;
    if (interrupted) this.noise = { fromMs: this.bargeFromMs, judgedMs: this.t };
    this.resetUtterance();
    if (interrupted) this.o.onFalseBargeIn?.({ state: interrupted, carried: Boolean(this.carry) });
    // (the false barge-in may have carried the words of an answer it cut before any of it was said)
    if (this.carry && this.state === "listening") this.endUtterance("", silenceMs, false);
  }

  private endUtterance(text: string, silenceMs: number, fromInterim: boolean): void {
    const full = [this.carry, text].filter(Boolean).join(" ");
    this.carry = "";
    this.interrupted = undefined;
    this.resetUtterance();
    this.consumedMs = this.t;
    this.newSpeech = false;
    this.state = "thinking";
    this.barge.reset();
    this.o.onUtterance({ text: full, newText: text, silenceMs, lastVoicedMs: this.lastVoicedMs, fromInterim });
  }

  private resetUtterance(): void {
    this.inUtterance = false;
    this.finals = [];
    this.interim = "";
    this.stableInterim = "";
  }

  private bargeIn(speechMs: number): void {
    const state = this.state;
    this.bargeFromMs = this.t - speechMs;
    this.state = "listening";
    this.inUtterance = speechMs > 0;
    this.newSpeech = speechMs > 0;
    this.interrupted = speechMs > 0 ? state : undefined;
    this.finals = [];
    this.interim = "";
    this.stableInterim = "";
    this.barge.reset();
    this.o.onBargeIn({ state, speechMs });
  }

  /** After a barge-in while THINKING: the unanswered utterance is kept and prefixes the next one. */
  carryOver(text: string): void {
    this.carry = [this.carry, text].filter(Boolean).join(" ");
  }
}

/** Two finals with the same words (case and spacing aside) are one final sent twice. */
function sameText(a: string, b: string | undefined): boolean {
  return b !== undefined && a.trim().toLowerCase().replace(/\s+/g, " ") === b.trim().toLowerCase().replace(/\s+/g, " ");
}
