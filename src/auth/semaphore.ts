/**
 * At most `max` tasks at once, `maxQueue` more waiting up to `maxWaitMs`; beyond that `run` rejects with Busy at
 * once. Guards memory-hard work (argon2id takes 64 MiB per hash) so a burst costs a bounded amount of memory and
 * a request that does get through is answered quickly.
 *
 * @example await passwordGate.run(() => Bun.password.verify(pw, hash))
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

export class Semaphore {
  private active = 0;
  private waiting: Waiter[] = [];

  constructor(
    readonly max: number,
    readonly maxQueue: number,
    readonly maxWaitMs: number,
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await this.wait();
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        // the slot passes straight to the next waiter: `active` stays the same
        clearTimeout(next.timer);
        next.start();
      } else this.active--;
    }
  }

  private wait(): Promise<void> {
    if (this.waiting.length >= this.maxQueue) return Promise.reject(new Busy());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new Busy());
        }, this.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }
}
