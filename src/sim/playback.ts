/**
 * Twilio's side of outbound audio, simulated: frames are played in real time (20 ms each) as they arrive, a mark is
 * echoed once the audio before it has played, and `clear` drops the buffer and echoes every pending mark.
 * Also notes mid-reply gaps: the buffer ran dry and new audio of the same reply (same mark generation) came later.
 */
import { FRAME_MS } from "../audio/mulaw.ts";
import { realClock, type Clock } from "../clock.ts";

type Item = { frame: Uint8Array } | { mark: string };

export class TwilioPlayback {
  /** Frames played so far. */
  playedFrames = 0;
  readonly marksEchoed: string[] = [];
  /** Silences (ms) inside one reply, between its sentences. */
  readonly gaps: number[] = [];
  private queue: Item[] = [];
  private timer?: unknown;
  /** When the next frame plays (ms). */
  private playClock = 0;
  private dryAt?: number;
  private lastMarkGen?: string;
  private pendingGap?: { ms: number; gen?: string };

  constructor(
    /** Sends the mark echo to the server. */
    private echoMark: (name: string) => void,
    /** Called whenever something was played or echoed. */
    private changed: () => void,
    private o: {
      clock?: Clock;
      /** Each frame as it plays (clock ms): what an echo path hears. */
      onPlay?: (frame: Uint8Array, at: number) => void;
    } = {},
  ) {}

  private get clock(): Clock {
    return this.o.clock ?? realClock;
  }

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
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private start(now: number) {
    if (this.timer !== undefined) return;
    this.playClock = now;
    this.tick();
  }

  private tick = () => {
    this.timer = undefined;
    // marks at the head have been reached: echo them
    while (this.queue[0] && "mark" in this.queue[0]) this.echo((this.queue.shift() as { mark: string }).mark);
    const item = this.queue.shift() as { frame: Uint8Array } | undefined;
    if (!item) {
      this.dryAt = this.clock.now();
      return this.changed();
    }
    this.o.onPlay?.(item.frame, this.playClock);
    this.playedFrames++;
    this.playClock += FRAME_MS;
    this.timer = this.clock.setTimer(this.tick, Math.max(0, this.playClock - this.clock.now()));
  };

  private echo(name: string) {
    this.marksEchoed.push(name);
    this.echoMark(name);
  }
}
