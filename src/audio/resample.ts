/**
 * Converts PCM to 8 kHz μ-law for the phone: linear-interpolation resampling after a simple moving-average
 * low-pass (enough for speech from espeak at 22.05 kHz; telephone bandwidth is 300–3400 Hz anyway).
 */
import { encode } from "./mulaw.ts";
import { parseWav } from "./riff.ts";

export function resamplePcm16(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return input;
  const ratio = fromRate / toRate;
  // low-pass: average over ~ratio samples so content above the new Nyquist folds less
  const taps = Math.max(1, Math.round(ratio));
  const smoothed = new Float32Array(input.length);
  let acc = 0;
  for (let i = 0; i < input.length; i++) {
    acc += input[i]!;
    if (i >= taps) acc -= input[i - taps]!;
    smoothed[i] = acc / Math.min(i + 1, taps);
  }
  const outLength = Math.floor(input.length / ratio);
  const out = new Int16Array(outLength);
  for (let i = 0; i < outLength; i++) {
    const pos = i * ratio;
    const i0 = Math.floor(pos);
    const i1 = Math.min(i0 + 1, smoothed.length - 1);
    const frac = pos - i0;
    out[i] = Math.round(smoothed[i0]! * (1 - frac) + smoothed[i1]! * frac);
  }
  return out;
}

/** A 16-bit PCM WAV (any rate, mono) → 8 kHz μ-law bytes. */
export function wavToMulaw8k(wav: Uint8Array): Uint8Array {
  const info = parseWav(wav);
  if (info.format === 7 && info.sampleRate === 8000 && info.channels === 1) return info.data;
  if (info.format !== 1 || info.bitsPerSample !== 16) throw new Error(`unsupported WAV format ${info.format}/${info.bitsPerSample} bit`);
  const aligned = new Uint8Array(info.data); // copy: Int16Array needs an even byte offset
  let pcm = new Int16Array(aligned.buffer, 0, Math.floor(aligned.length / 2));
  if (info.channels > 1) pcm = pcm.filter((_, i) => i % info.channels === 0);
  return encode(resamplePcm16(pcm, info.sampleRate, 8000));
}
