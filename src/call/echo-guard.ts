/**
 * Keeps the agent's own voice from interrupting it. Phone lines send back a faint copy of what the agent says (the
 * residual echo the carrier's echo canceller leaves), some 50–500 ms later. The call knows what it played and when,
 * so an inbound frame counts as the caller only when it is clearly louder than any echo of the agent's recent audio:
 *
 *   level > max(echoRatio × MARGIN, MIN_RATIO) × (loudest agent frame played within the last WINDOW_MS)
 *
 * `echoRatio` — how loud this line's echo is relative to the agent — is learned during the call: the 90th
 * percentile of inbound level ÷ agent level over the last 3 s of frames that were played while the agent was loud
 * enough for its echo to stand above the noise floor, and that the gate did not take for the caller (so a caller
 * talking over the agent does not teach it that the echo is loud). Until 300 ms of such frames are known, a
 * cautious prior is used. Levels are RMS on the 16-bit scale.
 */
import { FRAME_MS } from "../audio/mulaw.ts";

/** Echo can come back this long after a frame played (ms): network both ways plus the phone's echo path. */
const WINDOW_MS = 600;
/** Twilio may play a frame up to the pacer's lead before its scheduled time (ms). */
const EARLY_MS = 100;
/** The caller must be this many times louder than the learned echo (≈ 6 dB). */
const MARGIN = 2;
/** A floor on the gate relative to the agent's level (≈ −26 dB): quieter than this is never the caller. */
const MIN_RATIO = 0.05;
/** Echo ratio assumed until enough of the line is known (≈ −10 dB). */
const PRIOR_RATIO = 0.3;
/** Samples (frames) of the learning window: 3 s. */
const SAMPLES = 150;
/** Samples needed before the learned ratio replaces the prior: 300 ms. */
const MIN_SAMPLES = 15;
/** The agent counts as loud when its level is this many times the noise floor. */
const LOUD = 8;

export class EchoGuard {
  // the agent's recent frames: when each plays and how loud it is (a ring of ~1.3 s)
  private playAt = new Float64Array(64).fill(-Infinity);
  private level = new Float32Array(64);
  private head = 0;
  private ratios = new Float32Array(SAMPLES);
  private sorted = new Float32Array(SAMPLES);
  private samples = 0;
  private sinceSort = 0;
  /** The learned echo ratio (90th percentile), or the prior. */
  echoRatio = PRIOR_RATIO;

  /** An agent frame was sent; it plays at `playAt` (clock ms). */
  played(level: number, playAt: number): void {
    this.playAt[this.head] = playAt;
    this.level[this.head] = level;
    this.head = (this.head + 1) % this.playAt.length;
  }

  /** Twilio dropped what it had not played yet (`clear`). */
  cleared(now: number): void {
    for (let i = 0; i < this.playAt.length; i++) if (this.playAt[i]! > now) this.playAt[i] = -Infinity;
  }

  /** Whether an inbound frame of `level` at `now` can be the caller rather than the agent's echo. */
  admits(level: number, now: number, noiseFloor = 0): boolean {
    let reference = 0;
    let playingNow = false;
    for (let i = 0; i < this.playAt.length; i++) {
      const t = this.playAt[i]!;
      if (t < now - WINDOW_MS || t > now + EARLY_MS) continue;
      if (this.level[i]! > reference) reference = this.level[i]!;
      if (t > now - FRAME_MS) playingNow = true;
    }
    if (reference <= Math.max(50, noiseFloor * 2)) return true; // nothing loud enough to echo
    const ratio = level / reference;
    const caller = ratio > Math.max(this.echoRatio * MARGIN, MIN_RATIO);
    if (!caller && playingNow && reference > noiseFloor * LOUD) this.learn(ratio);
    return caller;
  }

  private learn(ratio: number): void {
    this.ratios[this.samples % SAMPLES] = ratio;
    this.samples++;
    if (this.samples < MIN_SAMPLES || ++this.sinceSort < 5) return;
    this.sinceSort = 0;
    const n = Math.min(this.samples, SAMPLES);
    const view = this.sorted.subarray(0, n);
    view.set(this.ratios.subarray(0, n));
    view.sort();
    this.echoRatio = view[Math.floor(n * 0.9)]!;
  }
}
