/**
 * Offline text to speech with espeak-ng compiled to WebAssembly (inside the binary): robotic, but it always works —
 * when Google TTS is not configured or fails, and for `agentlocator call --say`. 22.05 kHz PCM is resampled to
 * 8 kHz μ-law. The 18 MB module is compiled once; each utterance instantiates it afresh (~40 ms).
 */
import ESpeakNg from "espeak-ng";
import wasmPath from "espeak-ng/dist/espeak-ng.wasm" with { type: "file" };
import { wavToMulaw8k } from "../../audio/resample.ts";
import { ProviderError } from "../errors.ts";
import type { TtsProvider } from "../tts.ts";

let compiled: Promise<WebAssembly.Module> | undefined;
const compile = () => (compiled ??= Bun.file(wasmPath).arrayBuffer().then((b) => WebAssembly.compile(b)));

/** espeak voice for a language code: he-IL → he, en-US → en-us. */
export function espeakVoice(language: string): string {
  const lang = language.toLowerCase();
  if (lang.startsWith("he") || lang.startsWith("iw")) return "he";
  if (lang === "en-gb") return "en";
  return lang.startsWith("en") ? "en-us" : lang.split("-")[0]!;
}

/** WAV (22.05 kHz 16-bit mono) of `text` spoken by espeak-ng. */
export async function espeakWav(text: string, voice: string, options: { speed?: number } = {}): Promise<Uint8Array> {
  const mod = await compile();
  const args = ["-w", "out.wav", "-v", voice, "-s", String(options.speed ?? 165), "--", text];
  const instance = await ESpeakNg({
    arguments: args,
    print: () => {},
    printErr: () => {},
    instantiateWasm: (imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => {
      WebAssembly.instantiate(mod, imports).then((inst) => done(inst, mod));
      return {};
    },
  });
  return instance.FS.readFile("out.wav") as Uint8Array;
}

export class EspeakTts implements TtsProvider {
  readonly name = "espeak-ng";
  constructor(private voice: string) {}

  async warm(): Promise<void> {
    await compile();
  }

  async synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    signal?.throwIfAborted();
    try {
      return wavToMulaw8k(await espeakWav(text, this.voice));
    } catch (err) {
      throw new ProviderError(this.name, "unknown", false, err instanceof Error ? err.message : String(err));
    }
  }
}
