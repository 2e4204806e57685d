/** A clock for the call harness that moves only when told to, letting promises settle between timers. */
import type { Clock } from "../../src/clock.ts";

/** A clock that moves only when told to, running due timers in order and letting promises settle in between. */
export class VirtualClock implements Clock {
  private t = 1_000;
  private timers: Array<{ at: number; id: number; fn: () => void }> = [];
  private nextId = 1;

  now = () => this.t;
  date = () => new Date(1_700_000_000_000 + this.t);
  setTimer = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + Math.max(0, ms), id, fn });
    return id;
  };
  clearTimer = (handle: unknown) => {
    const i = this.timers.findIndex((x) => x.id === handle);
    if (i >= 0) this.timers.splice(i, 1);
  };

  /** Moves time forward by `ms`, running every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      let next: (typeof this.timers)[number] | undefined;
      for (const x of this.timers) if (x.at <= end && (!next || x.at < next.at || (x.at === next.at && x.id < next.id))) next = x;
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
    await settle();
  }
}

/** Lets every pending promise reaction run (no real I/O is involved in the harness). */
async function settle() {
  for (let i = 0; i < 4; i++) await new Promise<void>((r) => setImmediate(r));
}
