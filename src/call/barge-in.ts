/**
 * When the caller's speech interrupts the agent. People start an interruption with short words and pauses
 * ("wait, wait — I have a question"), so speech is counted across pauses shorter than `pauseMs`: BARGE_IN_MS is the
 * amount of speech that interrupts, not the length of one unbroken run. Bursts shorter than `minBurstMs` (a click,
 * a tap on the handset) are not speech and are not counted; a burst may contain a dropped frame or two.
 * Echo of the agent's own voice and line noise are filtered before frames get here (EchoGuard, the VAD's floor).
 */
import { FRAME_MS } from "../audio/mulaw.ts";

export interface BargeInOptions {
  /** Caller speech that interrupts (ms). */
  bargeInMs: number;
  /** A pause this long restarts the count (ms). */
  pauseMs?: number;
  /** Shorter bursts are clicks, not speech (ms). */
  minBurstMs?: number;
  /** Quiet frames inside a burst that do not end it (ms): the VAD can miss a frame mid-word. */
  burstGapMs?: number;
}

export class BargeInDetector {
  private speech = 0;
  private burst = 0;
  /** The current burst was long enough and is being counted. */
  private counting = false;
  private quiet = Infinity;
  private readonly pauseMs: number;
  private readonly minBurstMs: number;
  private readonly burstGapMs: number;

  constructor(private o: BargeInOptions) {
    this.pauseMs = o.pauseMs ?? 300;
    this.minBurstMs = o.minBurstMs ?? 60;
    this.burstGapMs = o.burstGapMs ?? 40;
  }

  /** Caller speech counted so far (ms). */
  get speechMs(): number {
    return this.speech;
  }

  /** Starts counting afresh (the agent took the floor). */
  reset(): void {
    this.speech = 0;
    this.burst = 0;
    this.counting = false;
    this.quiet = Infinity;
  }

  /** One 20 ms frame while the agent holds the floor; true once the caller's speech reaches BARGE_IN_MS. */
  frame(voiced: boolean): boolean {
    if (voiced) {
      this.quiet = 0;
      this.burst += FRAME_MS;
      // a burst counts once it is long enough to be speech — then all of it
      if (this.counting) this.speech += FRAME_MS;
      else if (this.burst >= this.minBurstMs) {
        this.counting = true;
        this.speech += this.burst;
      }
    } else {
      this.quiet += FRAME_MS;
      if (this.quiet > this.burstGapMs) {
        this.burst = 0;
        this.counting = false;
      }
      if (this.quiet >= this.pauseMs) this.speech = 0;
    }
    return this.speech >= this.o.bargeInMs;
  }
}
