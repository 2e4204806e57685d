/**
 * TTS with a fallback: the primary (Google) unless it fails, then the fallback (espeak-ng) for this text.
 * The call keeps talking through a provider outage, in a plainer voice.
 */
import type { TtsProvider } from "./tts.ts";

export class FallbackTts implements TtsProvider {
  readonly name: string;
  constructor(
    private primary: TtsProvider,
    private fallback: TtsProvider,
    private onFallback: (error: unknown) => void = () => {},
    /** The primary answered (after a failure it has recovered). */
    private onPrimaryOk: () => void = () => {},
  ) {
    this.name = `${primary.name}+${fallback.name}`;
  }

  async warm(): Promise<void> {
    await Promise.allSettled([this.primary.warm?.(), this.fallback.warm?.()]);
  }

  async synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    try {
      const audio = await this.primary.synthesize(text, signal);
      this.onPrimaryOk();
      return audio;
    } catch (err) {
      signal?.throwIfAborted();
      this.onFallback(err);
      return this.fallback.synthesize(text, signal);
    }
  }
}
