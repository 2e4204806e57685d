/**
 * At most `max` tasks at once, `maxQueue` more waiting up to `maxWaitMs`; beyond that `run` rejects with Busy at
 * once. Guards memory-hard work (argon2id takes 64 MiB per hash) so a burst costs a bounded amount of memory and
 * a request that does get through is answered quickly.
 *
 * A priority lane: `reserved` more slots that only priority tasks may use, and priority waiters (their own queue,
 * as long) are served before any ordinary one. A password check for an account from an address it has signed in
 * from goes there, so a burst of guesses from many addresses fills the ordinary lane and never the owner's.
 *
 * @example await passwordGate.run(() => Bun.password.verify(pw, hash), { priority: true })
 */
export class Busy extends Error {
  constructor() {
    super("busy");
    this.name = "Busy";
  }
}

interface Waiter {
  start: () => void;
  timer: Timer;
}

export type Lane = "normal" | "priority";

/** What a lane did since the start: tasks started without waiting, started after waiting, refused with Busy. */
export interface LaneStats {
  immediate: number;
  waited: number;
  refused: number;
}

export class Semaphore {
  private active = 0;
  private waiting: Record<Lane, Waiter[]> = { normal: [], priority: [] };
  readonly stats: Record<Lane, LaneStats> = { normal: { immediate: 0, waited: 0, refused: 0 }, priority: { immediate: 0, waited: 0, refused: 0 } };

  constructor(
    readonly max: number,
    readonly maxQueue: number,
    readonly maxWaitMs: number,
    readonly reserved = 0,
  ) {}

  get running(): number {
    return this.active;
  }

  /** Ordinary tasks waiting (the priority lane's waiters are not counted). */
  get queued(): number {
    return this.waiting.normal.length;
  }

  /** An ordinary task started now would wait (or be refused): no ordinary slot is free. */
  get pressed(): boolean {
    return this.active >= this.max || this.waiting.normal.length > 0;
  }

  private limit(lane: Lane): number {
    return lane === "priority" ? this.max + this.reserved : this.max;
  }

  async run<T>(task: () => Promise<T>, opts: { priority?: boolean } = {}): Promise<T> {
    const lane: Lane = opts.priority ? "priority" : "normal";
    // an ordinary task never jumps the ordinary queue, even when a slot frees between a release and its hand-over
    if (this.active < this.limit(lane) && (lane === "priority" || this.waiting.normal.length === 0)) {
      this.active++;
      this.stats[lane].immediate++;
    } else await this.wait(lane);
    try {
      return await task();
    } finally {
      this.active--;
      this.drain();
    }
  }

  /** Hands free slots to waiters: priority first, then ordinary ones while an ordinary slot is free. */
  private drain(): void {
    for (const lane of ["priority", "normal"] as const) {
      const queue = this.waiting[lane];
      while (queue.length && this.active < this.limit(lane)) {
        const next = queue.shift()!;
        clearTimeout(next.timer);
        this.active++;
        next.start();
      }
    }
  }

  private wait(lane: Lane): Promise<void> {
    const queue = this.waiting[lane];
    if (queue.length >= this.maxQueue) {
      this.stats[lane].refused++;
      return Promise.reject(new Busy());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          this.stats[lane].waited++;
          resolve();
        },
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          this.stats[lane].refused++;
          reject(new Busy());
        }, this.maxWaitMs),
      };
      queue.push(waiter);
    });
  }
}
