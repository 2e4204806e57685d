/** Streaming speech recognition, as the call needs it: μ-law frames in, interim and final transcripts out. */
import type { ProviderError } from "./errors.ts";

export interface SttResult {
  text: string;
  isFinal: boolean;
  /** 0–1; Google's estimate that an interim result will not change. */
  stability: number;
  /** End of this result on the call's audio timeline (ms since the first frame written). */
  endMs: number;
}

export interface SttOptions {
  language: string;
  phraseHints: string[];
  onResult(result: SttResult): void;
  /** The stream failed for good (retries exhausted); the call should degrade. */
  onError(error: ProviderError): void;
  /** A restart at the stream-duration limit or after a transient error (for logs). */
  onRestart?(reason: string): void;
}

export interface SttSession {
  /** One 20 ms μ-law frame; called for every inbound frame, also while the agent speaks. */
  write(frame: Uint8Array): void;
  close(): void;
}

export interface SttProvider {
  readonly name: string;
  open(options: SttOptions): SttSession;
  /** Load the client ahead of the first call (after the server listens). */
  warm?(): Promise<void>;
}
