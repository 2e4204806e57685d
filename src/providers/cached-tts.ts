/**
 * A cache in front of a TTS provider for text that repeats on every call (greeting, fixed prompts): kept in
 * memory and in DATA_DIR/tts-cache so the greeting plays within milliseconds of `start`, even after a restart.
 * The key includes the provider and voice, so changing TTS_VOICE never plays the old voice. Wrap each provider
 * separately (FallbackTts(Cached(google), Cached(espeak))) so a fallback recording is never kept as Google's.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { TtsProvider } from "./tts.ts";

export class CachedTts implements TtsProvider {
  readonly name: string;
  private memory = new Map<string, Uint8Array>();

  constructor(
    private tts: TtsProvider,
    private dir: string | undefined,
    private voiceKey: string,
  ) {
    this.name = tts.name;
    if (dir) mkdirSync(dir, { recursive: true });
  }

  warm(): Promise<void> {
    return this.tts.warm?.() ?? Promise.resolve();
  }

  synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.get(text, signal);
  }

  private key(text: string): string {
    return new Bun.CryptoHasher("sha256").update(`${this.voiceKey}\n${this.tts.name}\n${text}`).digest("hex").slice(0, 32);
  }

  /** Cached audio without synthesizing, if any (memory only: never blocks). */
  peek(text: string): Uint8Array | undefined {
    return this.memory.get(this.key(text));
  }

  async get(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    const key = this.key(text);
    const hit = this.memory.get(key);
    if (hit) return hit;
    const file = this.dir ? Bun.file(join(this.dir, `${key}.ulaw`)) : undefined;
    if (file && (await file.exists())) {
      const audio = new Uint8Array(await file.arrayBuffer());
      this.memory.set(key, audio);
      return audio;
    }
    const audio = await this.tts.synthesize(text, signal);
    this.memory.set(key, audio);
    if (file) await Bun.write(file, audio);
    return audio;
  }
}
