/**
 * μ-law ⇄ the Web Audio API's float samples (−1…1), and base64 for Twilio's `media.payload`. The G.711 tables
 * are the server's own (src/audio/mulaw.ts), so the browser and the call engine cannot disagree on a sample.
 */
import { decodeSample, encodeSample } from "../../audio/mulaw.ts";

export function floatToMulaw(samples: Float32Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = encodeSample(samples[i]! * 32767);
  return out;
}

export function mulawToFloat(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = decodeSample(bytes[i]!) / 32768;
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return btoa(s);
}

/** Decodes base64; undefined for anything that is not (atob throws on bad input). */
export function fromBase64(text: string): Uint8Array | undefined {
  try {
    const s = atob(text);
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/** Root mean square of float samples (0…1): the microphone level meter. */
export function level(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}
