/** Text to speech for the phone: text in, 8 kHz μ-law bytes out (never a WAV header). */
export interface TtsProvider {
  readonly name: string;
  synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array>;
  warm?(): Promise<void>;
}
