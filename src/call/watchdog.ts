/**
 * Every utterance gets an answer the caller hears: armed when the caller finishes (and when the call starts, for
 * the greeting), disarmed by the first frame of agent audio. If no audio has gone out by the deadline, `onLate`
 * runs (the call says a holding line in the offline voice and records `turn.unanswered`).
 */
import type { Clock, TimerHandle } from "../clock.ts";

export class Watchdog<W extends { kind: string }> {
  private timer?: TimerHandle;
  private armed?: { what: W; since: number };

  constructor(
    private clock: Clock,
    private onLate: (what: W, waitedMs: number) => void,
  ) {}

  /** What is awaited now, if anything. */
  get waiting(): W | undefined {
    return this.armed?.what;
  }

  /** Agent audio must start within `ms`. Arming again replaces the previous wait. */
  arm(what: W, ms: number): void {
    this.disarm();
    const armed = { what, since: this.clock.now() };
    this.armed = armed;
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.armed = undefined;
      this.onLate(armed.what, Math.round(this.clock.now() - armed.since));
    }, ms);
  }

  /** Agent audio went out (or nothing is owed any more). */
  disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.armed = undefined;
  }
}
