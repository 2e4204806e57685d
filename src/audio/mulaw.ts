/**
 * G.711 μ-law codec (bias 0x84, clip 32635). Telephone audio: 8000 samples/s, one byte per sample, so a
 * 20 ms frame is 160 bytes. Digital silence encodes as 0xFF.
 */

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
/** 160 bytes = 20 ms of μ-law at 8 kHz. */
export const FRAME_BYTES = (SAMPLE_RATE * FRAME_MS) / 1000;
export const MULAW_SILENCE = 0xff;

const BIAS = 0x84;
const CLIP = 32635;

/** μ-law byte → 16-bit linear sample, precomputed for all 256 codes. */
const DECODE = new Int16Array(256);
for (let i = 0; i < 256; i++) {
  const u = ~i & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  DECODE[i] = sign ? -magnitude : magnitude;
}

/** Squares of the decoded samples, for the RMS of μ-law audio without decoding it into a new array. */
const SQUARE = Float64Array.from(DECODE, (v) => v * v);

/** RMS (16-bit scale) of a μ-law frame. */
export function mulawRms(mulaw: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < mulaw.length; i++) sum += SQUARE[mulaw[i]!]!;
  return Math.sqrt(sum / Math.max(1, mulaw.length));
}

export function encodeSample(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (sign) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function decodeSample(code: number): number {
  return DECODE[code & 0xff]!;
}

export function encode(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = encodeSample(pcm[i]!);
  return out;
}

export function decode(mulaw: Uint8Array): Int16Array {
  const out = new Int16Array(mulaw.length);
  for (let i = 0; i < mulaw.length; i++) out[i] = DECODE[mulaw[i]!]!;
  return out;
}

/** Splits μ-law audio into 160-byte frames, padding the last one with silence. */
export function toFrames(mulaw: Uint8Array): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < mulaw.length; i += FRAME_BYTES) {
    const frame = new Uint8Array(FRAME_BYTES).fill(MULAW_SILENCE);
    frame.set(mulaw.subarray(i, i + FRAME_BYTES));
    frames.push(frame);
  }
  return frames;
}

/** Duration in ms of μ-law audio of `bytes` bytes. */
export const mulawMs = (bytes: number) => (bytes * 1000) / SAMPLE_RATE;
