/**
 * Twilio's side of outbound audio, simulated: frames are played in real time (20 ms each) as they arrive, a mark is
 * echoed once the audio before it has played, and `clear` drops the buffer and echoes every pending mark.
 * Also notes mid-reply gaps: the buffer ran dry and new audio of the same reply (same mark generation) came later.
 */
import { FRAME_MS } from "../audio/mulaw.ts";

type Item = { frame: Uint8Array } | { mark: string };

export class TwilioPlayback {
  /** Everything played, in order. */
  readonly played: Uint8Array[] = [];
  readonly marksEchoed: string[] = [];
  /** Silences (ms) inside one reply, between its sentences. */
  readonly gaps: number[] = [];
  private queue: Item[] = [];
  private timer?: Timer;
  private clock = 0;
  private dryAt?: number;
  private lastMarkGen?: string;
  private pendingGap?: { ms: number; gen?: string };

  constructor(
    /** Sends the mark echo to the server. */
    private echoMark: (name: string) => void,
    /** Called whenever something was played or echoed. */
    private changed: () => void,
  ) {}

  /** Nothing is waiting to be played. */
  get idle(): boolean {
    return this.queue.length === 0;
  }

  media(frame: Uint8Array, now: number): void {
    if (this.dryAt !== undefined) {
      this.pendingGap = { ms: now - this.dryAt, gen: this.lastMarkGen };
      this.dryAt = undefined;
    }
    this.queue.push({ frame });
    this.start(now);
  }

  mark(name: string, now: number): void {
    const gen = name.split(":")[0];
    if (this.pendingGap && this.pendingGap.gen === gen && this.pendingGap.ms >= 2 * FRAME_MS) this.gaps.push(this.pendingGap.ms);
    this.pendingGap = undefined;
    this.lastMarkGen = gen;
    this.queue.push({ mark: name });
    this.start(now);
  }

  clear(): void {
    for (const item of this.queue) if ("mark" in item) this.echo(item.mark);
    this.queue = [];
    this.dryAt = undefined;
    this.pendingGap = undefined;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(now: number) {
    if (this.timer) return;
    this.clock = now;
    this.tick();
  }

  private tick = () => {
    this.timer = undefined;
    // marks at the head have been reached: echo them
    while (this.queue[0] && "mark" in this.queue[0]) this.echo((this.queue.shift() as { mark: string }).mark);
    const item = this.queue.shift() as { frame: Uint8Array } | undefined;
    if (!item) {
      this.dryAt = performance.now();
      return this.changed();
    }
    this.played.push(item.frame);
    this.clock += FRAME_MS;
    this.timer = setTimeout(this.tick, Math.max(0, this.clock - performance.now()));
  };

  private echo(name: string) {
    this.marksEchoed.push(name);
    this.echoMark(name);
  }
}
