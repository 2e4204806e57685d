/**
 * Paces outgoing WhatsApp messages per recipient: each send to a number starts at least `gapMs` (+ up to
 * `jitterMs` of random) after the previous one to that number finished — counted from the provider's answer, not
 * from our request, so a request slowed on its way cannot arrive less than `gapMs` before the next one. WhatsApp restricts accounts that send in
 * bursts (429s were reported around 3 messages a second), and a regular rhythm looks like a bot. A recipient with
 * `maxPending` sends already waiting gets a rate-limit error instead of an ever longer queue.
 *
 * @example await queue.run("+972501234567", () => provider.send(...))
 */
import { AppError } from "../errors.ts";

export interface SendQueueOptions {
  gapMs: number;
  jitterMs: number;
  maxPending: number;
}

export const DEFAULT_SEND_QUEUE: SendQueueOptions = { gapMs: 1000, jitterMs: 500, maxPending: 20 };

interface Lane {
  tail: Promise<void>;
  /** performance.now() when the latest send finished (answered or failed). */
  last: number;
  pending: number;
}

export class SendQueue {
  private lanes = new Map<string, Lane>();

  constructor(
    private o: SendQueueOptions = DEFAULT_SEND_QUEUE,
    private random: () => number = Math.random,
  ) {}

  /** Runs `send` in `key`'s turn; the result (or error) is `send`'s. */
  run<T>(key: string, send: () => Promise<T>): Promise<T> {
    this.prune();
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { tail: Promise.resolve(), last: -Infinity, pending: 0 }));
    if (lane.pending >= this.o.maxPending) return Promise.reject(new AppError("rate_limited", `${this.o.maxPending} messages to this number are already waiting; try again shortly`, "to"));
    const l = lane;
    l.pending++;
    const turn = l.tail.then(async () => {
      const wait = l.last + this.o.gapMs + this.random() * this.o.jitterMs - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      return send();
    });
    const settled = turn.then(
      () => {
        l.last = performance.now();
      },
      () => {
        l.last = performance.now();
      },
    );
    l.tail = settled.then(() => {
      l.pending--;
    });
    return turn;
  }

  /** Lanes idle for a while are dropped so the map does not grow with every number ever messaged. */
  private prune() {
    if (this.lanes.size < 256) return;
    const now = performance.now();
    for (const [key, lane] of this.lanes) if (lane.pending === 0 && now - lane.last > 10 * (this.o.gapMs + this.o.jitterMs)) this.lanes.delete(key);
  }
}
