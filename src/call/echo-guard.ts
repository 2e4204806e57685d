/**
 * Keeps the agent's own voice from interrupting it. Phone lines send back a faint copy of what the agent says (the
 * residual echo the carrier's echo canceller leaves), some 50–500 ms later. The call knows what it played and when,
 * so an inbound frame counts as the caller only when it is clearly louder than the echo the agent's audio can make:
 *
 *   excess > max(echoRatio × MARGIN, MIN_RATIO) × reference,   excess = √(level² − noiseFloor²)
 *
 * - reference: the agent's level where its echo comes from. The echo delay of the line is learned by correlating
 *   the inbound level with the agent's level at each candidate delay (every 0.5 s while the agent talks); once
 *   known, the reference is the agent's level at that delay (± 40 ms), so a caller can interrupt whenever the agent
 *   is quieter. Until then it is the loudest agent frame of the last WINDOW_MS, which holds whatever the delay.
 * - echoRatio: how loud this line's echo is relative to the agent, learned during the call from excess ÷ reference
 *   over the last 3 s of frames played while the agent was loud enough for its echo to stand above the noise
 *   floor, that its echo had time to come back from, and that the gate did not take for the caller: the median
 *   once the delay is known (the median ignores a caller talking over the agent for a while), the 90th percentile
 *   before. The noise is taken out (excess) so a noisy line does not look like a loud echo. Until 300 ms of those
 *   are known, a cautious prior is used.
 * Times: an agent frame plays when Twilio has it and has played the one before (Twilio plays its buffer back to
 * back and starts again on arrival when it ran dry); an inbound frame was spoken 20 ms after the one before it,
 * whenever the network delivers it (a burst after a stall is spread back out). Levels are RMS on the 16-bit scale;
 * times are the call clock's ms; frames are 20 ms slots of that clock.
 */
import { FRAME_MS } from "../audio/mulaw.ts";

/** Echo can come back this long after a frame played (ms): network both ways plus the phone's echo path. */
const WINDOW_MS = 600;
/** Twilio may play a frame up to the pacer's lead before its scheduled time (ms). */
const EARLY_MS = 100;
/** Echo delays tried when learning the line's (ms, in FRAME_MS steps). */
const MIN_DELAY_MS = -100;
const MAX_DELAY_MS = 500;
/** With the delay known, the reference spans this much either side of it (ms): jitter. */
const TOLERANCE_MS = 40;
/** Correlation of inbound and delayed agent levels that makes a delay believable. */
const MIN_CORRELATION = 0.6;
/** The caller must be this many times louder than the echo's median (≈ 9.5 dB): echo peaks sit above its median. */
const MARGIN = 2;
/** A floor on the gate relative to the agent's level (≈ −26 dB): quieter than this is never the caller. */
const MIN_RATIO = 0.05;
/**
 * Echo ratio assumed until enough of the line is known (≈ −16 dB; with MARGIN, an echo up to −10 dB is safe).
 * Not higher: a caller quieter than the gate is learned as echo, and a high prior would trap the guard there.
 */
const PRIOR_RATIO = 0.15;
/** Samples (frames) of the learning window: 3 s. */
const SAMPLES = 150;
/** Samples needed before the learned ratio replaces the prior: 300 ms. */
const MIN_SAMPLES = 15;
/** The agent counts as loud when its level is this many times the noise floor. */
const LOUD = 8;
/** Frames kept of the agent's audio and of the inbound levels (~1.3 s each). */
const RING = 64;

const slotOf = (t: number) => Math.round(t / FRAME_MS);

export class EchoGuard {
  // the agent's frames by the 20 ms slot they play in
  private agentSlot = new Float64Array(RING).fill(NaN);
  private agentLevel = new Float32Array(RING);
  // the latest inbound frames: when they came and how loud they were
  private inAt = new Float64Array(RING);
  private inLevel = new Float32Array(RING);
  private inCount = 0;
  private sinceEstimate = 0;
  private ratios = new Float32Array(SAMPLES);
  private sorted = new Float32Array(SAMPLES);
  private samples = 0;
  private sinceSort = 0;
  /** The learned echo ratio (median), or the prior. */
  echoRatio = PRIOR_RATIO;
  /** The learned echo delay of the line (ms), once believable. */
  delayMs?: number;
  private candidate?: number;
  private lastPlayAt = -Infinity;
  private inboundMs = 0;
  private offset = Infinity;

  /** An agent frame was sent at `sentAt` (clock ms). */
  played(level: number, sentAt: number): void {
    const playAt = Math.max(sentAt, this.lastPlayAt + FRAME_MS);
    this.lastPlayAt = playAt;
    const slot = slotOf(playAt);
    this.agentSlot[slot % RING] = slot;
    this.agentLevel[slot % RING] = level;
  }

  /** Twilio dropped what it had not played yet (`clear`). */
  cleared(now: number): void {
    this.lastPlayAt = -Infinity;
    const slot = slotOf(now);
    for (let i = 0; i < RING; i++) if (this.agentSlot[i]! > slot) this.agentSlot[i] = NaN;
  }

  /** Whether the next inbound frame, of `level`, arriving at `arrivedAt`, can be the caller rather than the echo. */
  admits(level: number, arrivedAt: number, noiseFloor = 0): boolean {
    // when it was spoken: on the inbound timeline, offset by the least delay seen (which creeps up 1 ms a minute,
    // to follow a slower path); a constant error here is absorbed by the learned delay
    this.inboundMs += FRAME_MS;
    this.offset = Math.min(this.offset + 1 / 3000, arrivedAt - this.inboundMs);
    const now = this.inboundMs + this.offset;
    const at = this.inCount % RING;
    this.inAt[at] = now;
    this.inLevel[at] = level;
    this.inCount++;
    if (++this.sinceEstimate >= 25) {
      this.sinceEstimate = 0;
      this.estimateDelay(noiseFloor);
    }
    const reference = this.reference(now);
    if (reference <= Math.max(50, noiseFloor * 2)) return true; // nothing loud enough to echo
    const ratio = Math.sqrt(Math.max(0, level * level - noiseFloor * noiseFloor)) / reference;
    const caller = ratio > Math.max(this.echoRatio * MARGIN, MIN_RATIO);
    // learn only from frames the echo of what is playing has had time to reach: at the start of a reply the first
    // frames come back without echo, and would teach the guard that this line has none
    const echoBack = this.levelAt(slotOf(now - (this.delayMs ?? MAX_DELAY_MS))) > 0;
    let playingNow = false; // the agent is still talking (not, say, 500 ms after a barge-in's clear)
    for (let slot = slotOf(now - EARLY_MS); slot <= slotOf(now) && !playingNow; slot++) playingNow = this.levelAt(slot) > 0;
    if (!caller && playingNow && echoBack && reference > noiseFloor * LOUD) this.learn(ratio);
    return caller;
  }

  private levelAt(slot: number): number {
    const i = ((slot % RING) + RING) % RING;
    return this.agentSlot[i] === slot ? this.agentLevel[i]! : 0;
  }

  private reference(now: number): number {
    const known = this.delayMs !== undefined;
    const from = known ? slotOf(now - this.delayMs! - TOLERANCE_MS) : slotOf(now - WINDOW_MS);
    const to = known ? slotOf(now - this.delayMs! + TOLERANCE_MS) : slotOf(now + EARLY_MS);
    let max = 0;
    for (let s = from; s <= to; s++) max = Math.max(max, this.levelAt(s));
    return max;
  }

  /** The delay at which the inbound level follows the agent's best, when it follows it well enough. */
  private estimateDelay(noiseFloor: number): void {
    const n = Math.min(this.inCount, RING);
    if (n < 40) return;
    let best = -Infinity;
    let bestDelay: number | undefined;
    for (let d = MIN_DELAY_MS; d <= MAX_DELAY_MS; d += FRAME_MS) {
      let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, active = 0;
      for (let i = 0; i < n; i++) {
        const x = this.levelAt(slotOf(this.inAt[i]! - d));
        const y = this.inLevel[i]!;
        if (x > noiseFloor * 2) active++;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
      }
      if (active < n / 2) continue; // the agent was mostly quiet at this delay: nothing to learn from
      const cov = sxy - (sx * sy) / n;
      const vx = sxx - (sx * sx) / n;
      const vy = syy - (sy * sy) / n;
      if (vx <= 0 || vy <= 0) continue;
      const r = cov / Math.sqrt(vx * vy);
      if (r > best) {
        best = r;
        bestDelay = d;
      }
    }
    if (bestDelay === undefined || best < MIN_CORRELATION) return;
    // believed when two estimates in a row agree (a caller talking over the agent can correlate by chance once)
    const confirmed = this.candidate !== undefined && Math.abs(bestDelay - this.candidate) <= FRAME_MS;
    this.candidate = bestDelay;
    if (!confirmed) return;
    if (this.delayMs === undefined || Math.abs(bestDelay - this.delayMs) > TOLERANCE_MS) {
      // ratios measured against another reference no longer hold: learn them again (the prior is cautious)
      this.samples = 0;
      this.echoRatio = PRIOR_RATIO;
    }
    this.delayMs = bestDelay;
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
    // against the aligned reference the echo ratio is steady: its median; against the wide window it spreads
    // (a quiet syllable's echo next to a loud one), so an upper percentile is needed until the delay is known
    this.echoRatio = view[Math.floor(n * (this.delayMs === undefined ? 0.9 : 0.5))]!;
  }
}
