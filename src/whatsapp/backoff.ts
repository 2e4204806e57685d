/**
 * Exponential backoff with jitter: attempt n waits base·2ⁿ, capped, then scaled by a random factor in
 * [1 - jitter, 1 + jitter] (and capped again) so that many restarts never line up. Production: 1 s → 5 min.
 *
 * @example const b = new Backoff(); b.next(); // ≈1000 ms, then ≈2000, ≈4000, … ≤ 300000
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Fraction of the delay that is random, 0–1. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, capMs: 5 * 60_000, jitter: 0.2 };

export class Backoff {
  private attempt = 0;

  constructor(
    readonly o: BackoffOptions = DEFAULT_BACKOFF,
    private random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt (ms); each call counts one attempt. */
  next(): number {
    const raw = Math.min(this.o.capMs, this.o.baseMs * 2 ** Math.min(this.attempt, 40));
    this.attempt++;
    const factor = 1 - this.o.jitter + 2 * this.o.jitter * this.random();
    return Math.round(Math.min(this.o.capMs, Math.max(this.o.baseMs * (1 - this.o.jitter), raw * factor)));
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A delay as the owner reads it in a status reason: "1.5 s" under ten seconds, "30 s" above. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
