/**
 * Voice activity detection behind a small interface (so a model such as Silero can replace it).
 * EnergyVad: RMS energy of each 20 ms frame against a noise floor estimated by minimum statistics — the quietest
 * frame of the last `windowMs`. Speech always has quieter moments between words, so the minimum tracks the line's
 * noise; a steady hum or fan becomes the floor within one window and stops counting as speech.
 */

export interface Vad {
  /** True when the frame (16-bit PCM, 8 kHz) holds speech. */
  isSpeech(frame: Int16Array): boolean;
  /** The line's noise level (RMS, 16-bit scale), when the VAD estimates one. */
  readonly floor?: number;
}

export interface EnergyVadOptions {
  /** Voiced when rms > floor × ratio. */
  ratio?: number;
  /** Absolute minimum RMS for speech (16-bit scale); 160 ≈ -46 dBFS. */
  minRms?: number;
  /** Assumed noise floor (RMS) before the first frame. */
  initialFloor?: number;
  /** Length of the minimum-statistics window (ms). */
  windowMs?: number;
}

export function rms(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i]! * frame[i]!;
  return Math.sqrt(sum / Math.max(1, frame.length));
}

export class EnergyVad implements Vad {
  private readonly ratio: number;
  private readonly minRms: number;
  private readonly levels: Float32Array;
  private readonly initialFloor: number;
  private at = 0;
  private heard = 0;
  /** The floor as of the latest frame (the minimum is scanned once a frame, not on every read). */
  private current: number;

  constructor(o: EnergyVadOptions = {}) {
    this.ratio = o.ratio ?? 2.5;
    this.minRms = o.minRms ?? 160;
    this.initialFloor = o.initialFloor ?? 40;
    // frames not heard yet do not count: a noisy line's floor is known from its first quiet frame, not after a window
    this.levels = new Float32Array(Math.round((o.windowMs ?? 3000) / 20)).fill(Infinity);
    this.current = this.initialFloor;
  }

  /** The current noise-floor estimate (RMS). */
  get floor(): number {
    return this.current;
  }

  isSpeech(frame: Int16Array): boolean {
    const level = rms(frame);
    // the very first frame has nothing to be compared with: it sets the floor
    const voiced = this.heard++ > 0 && level > this.minRms && level > this.current * this.ratio;
    this.levels[this.at] = level;
    this.at = (this.at + 1) % this.levels.length;
    let min = Infinity;
    for (let i = 0; i < this.levels.length; i++) if (this.levels[i]! < min) min = this.levels[i]!;
    this.current = min === Infinity ? this.initialFloor : Math.max(8, min);
    return voiced;
  }
}
