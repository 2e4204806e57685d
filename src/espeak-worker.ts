/**
 * Worker entry (kept beside cli.ts: in the compiled binary workers resolve from the bundle root): synthesizes with espeak-ng off the main thread and answers 8 kHz μ-law.
 * Messages in: {id, text, voice}; out: {id, audio} or {id, error}.
 */
import { espeakMulaw } from "./providers/offline/espeak-wasm.ts";

declare const self: Worker;

self.onmessage = async (event: MessageEvent<{ id: number; text: string; voice: string }>) => {
  const { id, text, voice } = event.data;
  try {
    const audio = await espeakMulaw(text, voice);
    self.postMessage({ id, audio }, [audio.buffer as ArrayBuffer]);
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
