/**
 * Counts failures per key in a sliding window: after `max` failures within `windowMs` the key is blocked until the
 * oldest failure leaves the window. Used for login (5 failures a minute per IP → 429).
 */
export class FailureLimiter {
  private failures = new Map<string, number[]>();

  constructor(
    private max = 5,
    private windowMs = 60_000,
    private now: () => number = Date.now,
  ) {}

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Seconds until the key may try again, or 0 when it is not blocked. */
  retryAfterS(key: string): number {
    const list = this.recent(key);
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[0]! + this.windowMs - this.now()) / 1000));
  }

  fail(key: string): void {
    const list = this.recent(key);
    list.push(this.now());
    this.failures.set(key, list);
    // keep memory bounded under a flood of distinct keys (ms-scale cleanup, not per request)
    if (this.failures.size > 10_000) for (const k of [...this.failures.keys()].slice(0, 1000)) this.recent(k);
  }

  reset(key: string): void {
    this.failures.delete(key);
  }
}
