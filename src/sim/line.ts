/**
 * A simulated phone line between the caller and Twilio: what the caller says arrives mixed with steady background
 * noise and a faint echo of the agent's own voice (the residual echo a carrier's echo canceller leaves), as real
 * lines deliver it. Noise is seeded, so a run can be repeated exactly.
 */
import { decode, encode, FRAME_MS } from "../audio/mulaw.ts";

export interface LineOptions {
  /** Background noise level (RMS, 16-bit scale); 0 = a digitally silent line. ~100 ≈ −50 dBFS. */
  noiseRms?: number;
  /** Echo amplitude relative to the agent's audio, e.g. 0.056 ≈ −25 dB; 0 = none. */
  echoGain?: number;
  /** How long after a frame plays its echo arrives (ms). */
  echoDelayMs?: number;
  seed?: number;
}

export class PhoneLine {
  /** Agent frames by the time they played, kept as long as the echo delay needs. */
  private history: Array<{ at: number; pcm: Int16Array }> = [];
  private state: number;

  constructor(private o: LineOptions = {}) {
    this.state = o.seed ?? 0x2545f491;
  }

  /** An agent frame played (at clock ms). */
  agentPlayed(frame: Uint8Array, at: number): void {
    if (!this.o.echoGain) return;
    this.history.push({ at, pcm: decode(frame) });
    const keep = at - (this.o.echoDelayMs ?? 150) - 4 * FRAME_MS;
    while (this.history.length && this.history[0]!.at < keep) this.history.shift();
  }

  /** The caller's frame as Twilio receives it at `at` (clock ms): with noise and the echo of what played earlier. */
  mix(frame: Uint8Array, at: number): Uint8Array {
    const noise = this.o.noiseRms ?? 0;
    const gain = this.o.echoGain ?? 0;
    if (!noise && !gain) return frame;
    const out = Int16Array.from(decode(frame));
    if (gain) {
      const t = at - (this.o.echoDelayMs ?? 150);
      const echo = this.history.find((p) => p.at > t - FRAME_MS && p.at <= t);
      if (echo) for (let i = 0; i < out.length; i++) out[i] = clamp(out[i]! + echo.pcm[i]! * gain);
    }
    if (noise) {
      // uniform noise of RMS `noise` has amplitude noise·√3
      const amp = noise * Math.sqrt(3);
      for (let i = 0; i < out.length; i++) out[i] = clamp(out[i]! + (this.random() * 2 - 1) * amp);
    }
    return encode(out);
  }

  private random(): number {
    // xorshift32: fast, seeded, good enough for noise
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }
}

const clamp = (v: number) => Math.max(-32768, Math.min(32767, Math.round(v)));
