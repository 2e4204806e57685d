/**
 * A streaming sample-rate converter for the test call: the microphone (44.1/48 kHz) down to the phone's 8 kHz,
 * and the agent's 8 kHz up to the sound card's rate. Band-limited interpolation with a Blackman-windowed sinc whose
 * cutoff sits at 45% of the lower rate (3.6 kHz for the phone — telephone speech is 300–3400 Hz), so the
 * microphone's highs do not fold back as aliasing. State carries across chunks: feeding a signal in pieces gives
 * the same samples as feeding it whole, with no clicks at chunk edges. Delay: `halfWidth` input samples
 * (2 ms at 8 kHz, 2 ms at 48 kHz).
 */

/** Zero crossings of the sinc on each side, at the lower of the two rates. */
const ZERO_CROSSINGS = 16;
/** Table resolution: kernel values per input sample (linear interpolation between them). */
const TABLE_STEPS = 256;

export class Resampler {
  /** Input samples per output sample. */
  private readonly step: number;
  /** Half the kernel's width, in input samples. */
  readonly halfWidth: number;
  /** The kernel from 0 to halfWidth input samples, TABLE_STEPS values per sample. */
  private readonly table: Float32Array;
  /** Input not yet fully used (the last samples of earlier chunks first). */
  private pending: Float32Array;
  /** Where the next output sample falls, in `pending`'s sample positions. */
  private t: number;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    if (!(fromRate > 0 && toRate > 0)) throw new RangeError(`sample rates must be positive (got ${fromRate} → ${toRate})`);
    this.step = fromRate / toRate;
    // cycles per input sample
    const cutoff = (0.45 * Math.min(fromRate, toRate)) / fromRate;
    this.halfWidth = Math.ceil(ZERO_CROSSINGS * Math.max(1, this.step));
    this.table = new Float32Array(this.halfWidth * TABLE_STEPS + 2);
    for (let i = 0; i < this.table.length; i++) {
      const x = i / TABLE_STEPS;
      const window = x >= this.halfWidth ? 0 : 0.42 + 0.5 * Math.cos((Math.PI * x) / this.halfWidth) + 0.08 * Math.cos((2 * Math.PI * x) / this.halfWidth);
      const arg = 2 * Math.PI * cutoff * x;
      this.table[i] = 2 * cutoff * (x === 0 ? 1 : Math.sin(arg) / arg) * window;
    }
    this.pending = new Float32Array(this.halfWidth);
    this.t = this.halfWidth;
  }

  private kernel(x: number): number {
    const pos = Math.abs(x) * TABLE_STEPS;
    const i = Math.floor(pos);
    if (i >= this.table.length - 1) return 0;
    const frac = pos - i;
    return this.table[i]! * (1 - frac) + this.table[i + 1]! * frac;
  }

  /** Converts the next chunk; returns what can be computed so far (the rest follows with later chunks). */
  push(input: Float32Array): Float32Array {
    const data = new Float32Array(this.pending.length + input.length);
    data.set(this.pending);
    data.set(input, this.pending.length);
    const count = Math.max(0, Math.ceil((data.length - this.halfWidth - this.t) / this.step));
    const out = new Float32Array(count);
    let t = this.t;
    for (let n = 0; n < count; n++, t += this.step) {
      const centre = Math.floor(t);
      let acc = 0;
      let weights = 0;
      for (let k = centre - this.halfWidth + 1; k <= centre + this.halfWidth; k++) {
        const w = this.kernel(t - k);
        acc += data[k]! * w;
        weights += w;
      }
      // normalised: a constant input comes out exactly constant whatever the fractional position
      out[n] = weights ? acc / weights : 0;
    }
    const keepFrom = Math.max(0, Math.floor(t) - this.halfWidth + 1);
    this.pending = data.slice(keepFrom);
    this.t = t - keepFrom;
    return out;
  }

  /** Pushes the kernel's worth of silence through, so the last real samples come out (end of a segment). */
  flush(): Float32Array {
    return this.push(new Float32Array(this.halfWidth * 2));
  }

  /** Forgets everything buffered (after a clear: the next audio starts fresh). */
  reset(): void {
    this.pending = new Float32Array(this.halfWidth);
    this.t = this.halfWidth;
  }
}
