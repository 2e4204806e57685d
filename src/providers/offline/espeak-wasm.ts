/**
 * espeak-ng compiled to WebAssembly (inside the binary): text → 22.05 kHz 16-bit mono WAV. The 18 MB module is
 * compiled once; each utterance instantiates it afresh (~40 ms of synchronous work — which is why the app runs it
 * in a Worker, see espeak-worker.ts).
 */
import wasmPath from "espeak-ng/dist/espeak-ng.wasm" with { type: "file" };
import { wavToMulaw8k } from "../../audio/resample.ts";

let compiled: Promise<WebAssembly.Module> | undefined;
export const compileEspeak = () => (compiled ??= Bun.file(wasmPath).arrayBuffer().then((b) => WebAssembly.compile(b)));

/** espeak voice for a language code: he-IL → he, en-US → en-us. */
export function espeakVoice(language: string): string {
  const lang = language.toLowerCase();
  if (lang.startsWith("he") || lang.startsWith("iw")) return "he";
  if (lang === "en-gb") return "en";
  return lang.startsWith("en") ? "en-us" : lang.split("-")[0]!;
}

/** WAV (22.05 kHz 16-bit mono) of `text` spoken by espeak-ng, in this thread. */
async function espeakWav(text: string, voice: string, options: { speed?: number } = {}): Promise<Uint8Array> {
  const [{ default: ESpeakNg }, mod] = await Promise.all([import("espeak-ng"), compileEspeak()]);
  const instance = await ESpeakNg({
    arguments: ["-w", "out.wav", "-v", voice, "-s", String(options.speed ?? 165), "--", text],
    print: () => {},
    printErr: () => {},
    instantiateWasm: (imports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => {
      WebAssembly.instantiate(mod, imports).then((inst) => done(inst, mod));
      return {};
    },
  });
  return instance.FS.readFile("out.wav");
}

/** `text` spoken by espeak-ng as 8 kHz μ-law, in this thread (the server uses it through its Worker). */
export async function espeakMulaw(text: string, voice: string): Promise<Uint8Array> {
  return wavToMulaw8k(await espeakWav(text, voice));
}
