/**
 * Sounds for the phone. The voicemail beep ships as assets/sounds/beep.wav (8 kHz μ-law, embedded in the binary
 * with `type: "file"`) and is read once at start; `tone()` and SOUNDS are how that file was made
 * (scripts/sounds.ts writes it).
 */
import { readFileSync } from "node:fs";
import beepWav from "../../assets/sounds/beep.wav" with { type: "file" };
import { encodeSample, SAMPLE_RATE } from "./mulaw.ts";
import { parseWav } from "./riff.ts";

/** A sine tone as 8 kHz μ-law, with 10 ms ramps so it starts and stops without a click. */
export function tone(hz: number, ms: number, amplitude = 8000): Uint8Array {
  const n = Math.round((SAMPLE_RATE * ms) / 1000);
  const out = new Uint8Array(n);
  const fade = Math.min(80, n / 4);
  for (let i = 0; i < n; i++) {
    const env = Math.min(1, i / fade, (n - i) / fade);
    out[i] = encodeSample(Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE) * amplitude * env);
  }
  return out;
}

/** The sounds in assets/sounds/, by file name. */
export const SOUNDS = { beep: { hz: 1000, ms: 400 } } as const;

/** A sound file's μ-law samples; it must be 8 kHz mono μ-law (what is sent to Twilio as is). */
export function readMulawWav(path: string): Uint8Array {
  const wav = parseWav(new Uint8Array(readFileSync(path)));
  if (wav.format !== 7 || wav.sampleRate !== SAMPLE_RATE || wav.channels !== 1) throw new Error(`${path}: not 8 kHz mono μ-law (format ${wav.format}, ${wav.sampleRate} Hz, ${wav.channels} channels)`);
  return wav.data;
}

/** The voicemail beep (1 kHz, 400 ms). */
export const BEEP = readMulawWav(beepWav);
