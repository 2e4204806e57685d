/** Tones for the phone: the voicemail beep (1 kHz, 400 ms) as 8 kHz μ-law. */
import { encodeSample, SAMPLE_RATE } from "./mulaw.ts";

export function tone(hz: number, ms: number, amplitude = 8000): Uint8Array {
  const n = Math.round((SAMPLE_RATE * ms) / 1000);
  const out = new Uint8Array(n);
  const fade = Math.min(80, n / 4); // 10 ms ramps: no click at either end
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / fade, (n - i) / fade);
    out[i] = encodeSample(Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE) * amplitude * env);
  }
  return out;
}

export const BEEP = tone(1000, 400);
