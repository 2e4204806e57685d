/**
 * Voice activity detection behind a small interface (so a model such as Silero can replace it).
 * EnergyVad: RMS energy of each 20 ms frame against an adaptive noise floor. A frame is voiced when its energy is
 * `ratio` × the floor and above an absolute minimum; the floor follows quiet frames quickly and loud ones slowly,
 * so steady line noise is learned and ignored.
 */

export interface Vad {
  /** True when the frame (16-bit PCM, 8 kHz) holds speech. */
  isSpeech(frame: Int16Array): boolean;
}

export interface EnergyVadOptions {
  /** Voiced when rms > floor × ratio. */
  ratio?: number;
  /** Absolute minimum RMS for speech (16-bit scale); ~ -46 dBFS. */
  minRms?: number;
  /** Starting noise floor (RMS). */
  initialFloor?: number;
}

export function rms(frame: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i]! * frame[i]!;
  return Math.sqrt(sum / Math.max(1, frame.length));
}

export class EnergyVad implements Vad {
  private floor: number;
  private readonly ratio: number;
  private readonly minRms: number;

  constructor(o: EnergyVadOptions = {}) {
    this.ratio = o.ratio ?? 3;
    this.minRms = o.minRms ?? 160;
    this.floor = o.initialFloor ?? 40;
  }

  isSpeech(frame: Int16Array): boolean {
    const level = rms(frame);
    const voiced = level > this.minRms && level > this.floor * this.ratio;
    // Adapt: fall fast towards quieter frames (5% a frame), rise slowly on unvoiced ones (0.5%), never on speech.
    if (level < this.floor) this.floor += (level - this.floor) * 0.05;
    else if (!voiced) this.floor += (level - this.floor) * 0.005;
    this.floor = Math.max(8, this.floor);
    return voiced;
  }
}
