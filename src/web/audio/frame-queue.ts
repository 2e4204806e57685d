/**
 * The microphone's μ-law on its way out: the capture thread delivers it in bursts, the frame clock takes exactly
 * one 160-byte (20 ms) frame every 20 ms. A small jitter buffer sits between them: after running dry it waits for
 * START_FRAMES of audio before handing out speech again (silence meanwhile, as Twilio sends silence too), and it
 * never holds more than MAX_FRAMES (the oldest audio is dropped), so the delay stays short even if the sound card's
 * clock runs a little fast against the wall clock.
 */
import { FRAME_BYTES, MULAW_SILENCE } from "../../audio/mulaw.ts";

const START_FRAMES = 2;
const MAX_FRAMES = 10;

export class FrameQueue {
  private buf = new Uint8Array(FRAME_BYTES * MAX_FRAMES);
  private length = 0;
  private primed = false;
  /** Frames sent as silence because the microphone's audio had run dry. */
  underruns = 0;
  /** Bytes of the oldest audio dropped because the queue was full. */
  dropped = 0;

  push(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.length + bytes.length);
    joined.set(this.buf.subarray(0, this.length));
    joined.set(bytes, this.length);
    const keep = joined.length > this.buf.length ? joined.subarray(joined.length - this.buf.length) : joined;
    this.dropped += joined.length - keep.length;
    this.buf.set(keep);
    this.length = keep.length;
  }

  /** The next 20 ms frame: microphone audio when there is enough, else silence. */
  take(): Uint8Array {
    const frame = new Uint8Array(FRAME_BYTES).fill(MULAW_SILENCE);
    if (!this.primed && this.length >= START_FRAMES * FRAME_BYTES) this.primed = true;
    if (!this.primed) return frame;
    if (this.length < FRAME_BYTES) {
      this.primed = false;
      this.underruns++;
      return frame;
    }
    frame.set(this.buf.subarray(0, FRAME_BYTES));
    this.buf.copyWithin(0, FRAME_BYTES, this.length);
    this.length -= FRAME_BYTES;
    return frame;
  }

  clear(): void {
    this.length = 0;
    this.primed = false;
  }
}
