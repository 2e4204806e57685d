/** Real speech for the simulated caller, made with espeak-ng (the same WASM build the app ships), as 8 kHz μ-law. */
import { espeakMulaw } from "../../src/providers/offline/espeak-wasm.ts";

const cache = new Map<string, Uint8Array>();

export async function speech(text: string, voice = "en-us"): Promise<Uint8Array> {
  const key = `${voice}|${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const audio = await espeakMulaw(text, voice);
  cache.set(key, audio);
  return audio;
}
