/**
 * Google Text-to-Speech v1: MULAW at 8 kHz in the chosen voice. Google wraps MULAW in a WAV header, which is removed
 * by walking the RIFF chunks. Input is limited to 5000 bytes (Hebrew ≈ 2 bytes a character), so longer text is
 * split at word boundaries and the audio concatenated.
 */
import type { GoogleClientOptions } from "./client-options.ts";
import { stripWavHeader } from "../../audio/riff.ts";
import { fromGrpc } from "../errors.ts";
import { lazyClient } from "./lazy-client.ts";
import type { TtsProvider } from "../tts.ts";

type TtsClient = {
  synthesizeSpeech(request: unknown, options?: unknown): Promise<[{ audioContent?: Uint8Array | string | null }]>;
  initialize(): Promise<unknown>;
};

const MAX_INPUT_BYTES = 4800;

export function splitForTts(text: string, maxBytes = MAX_INPUT_BYTES): string[] {
  const parts: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = current ? `${current} ${word}` : word;
    if (Buffer.byteLength(next) > maxBytes && current) {
      parts.push(current);
      current = word;
    } else current = next;
  }
  if (current) parts.push(current);
  return parts;
}

export class GoogleTts implements TtsProvider {
  readonly name = "google-tts";

  private constructor(
    readonly voice: string,
    private getClient: () => Promise<TtsClient>,
    /** Per-request deadline (ms). */
    private timeoutMs: number,
  ) {}

  /** The client loads on first use (or `warm`), never at import. */
  static create(voice: string, clientOptions: () => Promise<GoogleClientOptions>, timeoutMs = 5000): GoogleTts {
    const getClient = lazyClient(async () => {
      const { TextToSpeechClient } = await import("@google-cloud/text-to-speech/build/src/v1/text_to_speech_client.js"); // the v1 module, not the index (its protos.js: see stt.ts)
      return new TextToSpeechClient(await clientOptions()) as unknown as TtsClient;
    });
    return new GoogleTts(voice, getClient, timeoutMs);
  }

  /** The same client speaking with another voice (a business may choose its own). */
  withVoice(voice: string): GoogleTts {
    return voice === this.voice ? this : new GoogleTts(voice, this.getClient, this.timeoutMs);
  }

  async warm(): Promise<void> {
    await this.getClient();
  }

  async synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    const client = await this.getClient();
    const languageCode = this.voice.split("-").slice(0, 2).join("-");
    const chunks: Uint8Array[] = [];
    for (const part of splitForTts(text)) {
      signal?.throwIfAborted();
      try {
        const [response] = await client.synthesizeSpeech(
          { input: { text: part }, voice: { languageCode, name: this.voice }, audioConfig: { audioEncoding: "MULAW", sampleRateHertz: 8000 } },
          { timeout: this.timeoutMs, retry: null },
        );
        const audio = response.audioContent;
        const bytes = typeof audio === "string" ? Buffer.from(audio, "base64") : (audio ?? new Uint8Array());
        chunks.push(stripWavHeader(new Uint8Array(bytes)));
      } catch (err) {
        throw fromGrpc(this.name, err);
      }
    }
    return Buffer.concat(chunks);
  }
}
