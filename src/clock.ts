/**
 * The time a call runs on. Production uses the wall clock; the call harness injects a virtual one so a whole call
 * (greeting, turns, barge-ins, watchdogs, voicemail limits) runs deterministically in milliseconds.
 * All times are milliseconds on a monotonic scale (`now`), except `date()` which stamps records.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Monotonic time in ms (performance.now() in production). */
  now(): number;
  /** The date to stamp records with. */
  date(): Date;
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as Timer),
};

/** Resolves after `ms` on `clock` (or rejects when `signal` aborts first). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clock.clearTimer(handle);
      reject(signal!.reason);
    };
    const handle = clock.setTimer(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
