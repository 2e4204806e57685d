/**
 * Counts attempts per key in a sliding window: with `max` attempts inside `windowMs` the key is blocked until the
 * oldest leaves the window. An attempt is counted *before* its outcome is known (`take`), so a burst of parallel
 * requests is limited exactly like the same requests one after another; a success gives its attempt back.
 * Each attempt may carry a tag (the account a login was for), so a success can forget only its own kind.
 */
export interface Attempt {
  readonly at: number;
  readonly tag?: string;
}

export type Taken = { ok: true; attempt: Attempt } | { ok: false; retryAfterS: number };

/** Keys kept at most; past it the oldest keys are swept (bounded memory under a flood of distinct addresses). */
const MAX_KEYS = 10_000;

export class FailureLimiter {
  private attempts = new Map<string, Attempt[]>();

  constructor(
    readonly max = 5,
    readonly windowMs = 60_000,
    private now: () => number = Date.now,
  ) {}

  private recent(key: string): Attempt[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.attempts.get(key) ?? []).filter((a) => a.at > cutoff);
    if (list.length) this.attempts.set(key, list);
    else this.attempts.delete(key);
    return list;
  }

  /** Seconds until the key may try again, or 0 when it is not blocked. */
  retryAfterS(key: string): number {
    const list = this.recent(key);
    if (list.length < this.max) return 0;
    return Math.max(1, Math.ceil((list[list.length - this.max]!.at + this.windowMs - this.now()) / 1000));
  }

  /** Counts an attempt now unless the key is blocked. Synchronous: check and count cannot interleave. */
  take(key: string, tag?: string): Taken {
    const wait = this.retryAfterS(key);
    if (wait > 0) return { ok: false, retryAfterS: wait };
    const attempt: Attempt = { at: this.now(), tag };
    const list = this.attempts.get(key) ?? [];
    list.push(attempt);
    this.attempts.set(key, list);
    if (this.attempts.size > MAX_KEYS) for (const k of [...this.attempts.keys()].slice(0, MAX_KEYS / 10)) this.recent(k);
    return { ok: true, attempt };
  }

  /** Records a failure that was not taken beforehand. */
  fail(key: string, tag?: string): void {
    const list = this.recent(key);
    list.push({ at: this.now(), tag });
    this.attempts.set(key, list);
  }

  /** Gives one taken attempt back (it succeeded, or it never ran). */
  release(key: string, attempt: Attempt): void {
    const list = this.attempts.get(key);
    const i = list?.indexOf(attempt) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    if (list && !list.length) this.attempts.delete(key);
  }

  /** Forgets the key's attempts carrying `tag`, and only those. */
  forget(key: string, tag: string): void {
    const list = this.attempts.get(key)?.filter((a) => a.tag !== tag);
    if (list?.length) this.attempts.set(key, list);
    else this.attempts.delete(key);
  }

  reset(key: string): void {
    this.attempts.delete(key);
  }
}
