/**
 * Sends outbound audio in 20 ms frames against an absolute clock: frame n of a run is due at start + n·20 ms and is
 * sent up to `leadMs` early (Twilio buffers it), so playback neither drifts nor stutters the way a repeated
 * setTimeout(20) does, and a `clear` empties at most `leadMs` of audio on Twilio's side. Marks go out right after
 * the frame before them.
 */
import { FRAME_MS } from "../audio/mulaw.ts";
import { realClock, type Clock } from "../clock.ts";

export interface PacerSink {
  frame(frame: Uint8Array): void;
  mark(name: string): void;
  clear(): void;
}

type Item = { frame: Uint8Array } | { mark: string };

export interface PacerOptions {
  /** How far ahead of real time frames may be sent (ms); ≤ 200. */
  leadMs?: number;
  clock?: Clock;
}

export class Pacer {
  private queue: Item[] = [];
  private head = 0;
  /** Wall time (ms) at which the next frame plays. */
  private playhead = 0;
  private timer?: unknown;
  readonly leadMs: number;
  private readonly clock: Clock;
  /** Frames sent since the last `clear`/reset (for MEDIA_TX). */
  framesSent = 0;
  /** Times audio ran dry in the middle of a run and resumed late (ms of silence inserted). */
  gaps: number[] = [];
  /** Called when the queue has been sent out completely. */
  onDrained?: () => void;

  constructor(
    private sink: PacerSink,
    o: PacerOptions = {},
  ) {
    this.leadMs = o.leadMs ?? 100;
    this.clock = o.clock ?? realClock;
  }

  /** True while frames are queued. */
  get busy(): boolean {
    return this.head < this.queue.length;
  }

  /**
   * Queues frames (and an optional mark after them). `continuing` says this audio follows earlier audio of the same
   * reply, so a late arrival counts as a playback gap.
   */
  push(frames: Uint8Array[], mark?: string, continuing = false): void {
    const now = this.clock.now();
    if (!this.busy && this.playhead < now) {
      if (continuing && this.playhead > 0 && now - this.playhead >= FRAME_MS) this.gaps.push(now - this.playhead);
      this.playhead = now;
    }
    for (const frame of frames) this.queue.push({ frame });
    if (mark) this.queue.push({ mark });
    this.pump();
  }

  /** Drops everything not yet sent and tells the far end to drop what it buffered. */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.playhead = 0;
    this.sink.clear();
  }

  stop(): void {
    this.queue = [];
    this.head = 0;
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private pump = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    while (this.head < this.queue.length) {
      const item = this.queue[this.head]!;
      if ("mark" in item) {
        this.sink.mark(item.mark);
        this.head++;
        continue;
      }
      if (this.playhead - now > this.leadMs) break;
      this.sink.frame(item.frame);
      this.framesSent++;
      this.playhead += FRAME_MS;
      this.head++;
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.onDrained?.();
      return;
    }
    // wake when the next frame enters the lead window
    this.timer = this.clock.setTimer(this.pump, Math.max(1, this.playhead - this.leadMs - now));
  };
}
