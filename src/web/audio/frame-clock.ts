/**
 * Sends one frame per 20 ms against an absolute clock (start + n·20 ms), as Twilio does — a repeated
 * `setTimeout(20)` drifts and stutters. A tick every 10 ms sends whatever frames have come due; after a stall (a
 * busy or throttled tab) the frames due meanwhile go out at once, so the audio never runs ahead of real time (the
 * server refuses audio more than 1 s ahead) and never falls behind for good.
 */
export const FRAME_MS = 20;
const TICK_MS = 10;

export class FrameClock {
  private timer?: ReturnType<typeof setInterval>;
  private t0 = 0;
  /** Frames sent since start. */
  sent = 0;

  constructor(
    private sendFrame: () => void,
    private now: () => number = () => performance.now(),
  ) {}

  start(): void {
    this.stop();
    this.t0 = this.now();
    this.sent = 0;
    this.tick();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Sends the frames due by now (the first one at once). */
  tick(): void {
    const due = Math.floor((this.now() - this.t0) / FRAME_MS) + 1;
    while (this.sent < due) {
      this.sent++;
      this.sendFrame();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
