/**
 * Google Speech-to-Text v1 streaming (MULAW 8 kHz, interim results).
 *
 * One recognizer stream lasts at most ~305 s, so the session restarts it on a final-result boundary once it is
 * older than `restartAfterMs`, or regardless at `hardLimitMs`, re-sending the audio after the last final so no word
 * is lost (Google's infiniteStreaming sample). Results are put on the call's audio timeline (`endMs`), whatever
 * stream produced them. Transient errors reopen the stream (up to 3 times in a row); then `onError`.
 */
import type { GoogleClientOptions } from "./client-options.ts";
import type { Duplex } from "node:stream";
import { FRAME_MS } from "../../audio/mulaw.ts";
import { fromGrpc, ProviderError } from "../errors.ts";
import { lazyClient } from "./lazy-client.ts";
import type { SttOptions, SttProvider, SttResult, SttSession } from "../stt.ts";

export interface GoogleSttOptions {
  clientOptions: () => Promise<GoogleClientOptions>;
  model?: string;
  /** Restart on the next final after this much audio in one stream (ms). */
  restartAfterMs?: number;
  /** Restart regardless at this age (ms); below Google's 305 s. */
  hardLimitMs?: number;
}

type SpeechClient = { streamingRecognize(config: unknown): Duplex; initialize(): Promise<unknown>; close(): Promise<void> };

const MAX_BACKLOG_MS = 30_000;
const MAX_RETRIES = 3;

export class GoogleStt implements SttProvider {
  readonly name = "google-stt";
  readonly getClient: () => Promise<SpeechClient>;

  constructor(private options: GoogleSttOptions) {
    this.getClient = lazyClient(async () => {
      // the v1 client and the streaming helper, not the package index (which also loads a 5 MB generated protos.js
      // that the binary's bytecode compilation cannot take); installed on the class as the index itself does:
      // streamingRecognize(config) then takes raw audio Buffers
      const [{ SpeechClient: V1 }, { ImprovedStreamingClient }] = await Promise.all([
        import("@google-cloud/speech/build/src/v1/speech_client.js"),
        import("@google-cloud/speech/build/src/helpers.js"),
      ]);
      Object.defineProperty(V1.prototype, "streamingRecognize", Object.getOwnPropertyDescriptor(ImprovedStreamingClient.prototype, "streamingRecognize")!);
      return new V1(await options.clientOptions()) as unknown as SpeechClient;
    });
  }

  async warm(): Promise<void> {
    await this.getClient();
  }

  open(o: SttOptions): SttSession {
    return new GoogleSttSession(this, this.options, o);
  }
}

class GoogleSttSession implements SttSession {
  private stream?: Duplex;
  private generation = 0;
  /** Audio written so far, on the call timeline (ms). */
  private fedMs = 0;
  /** Call time at which the current stream's audio starts. */
  private streamStartMs = 0;
  /** Audio written to the current stream, re-sent backlog included (ms): what Google's duration limit counts. */
  private streamAudioMs = 0;
  /** Frames after the last final (time, frame), to re-send on a restart. */
  private backlog: Array<[number, Uint8Array]> = [];
  private lastFinalEndMs = 0;
  private failures = 0;
  private closed = false;
  private opening = false;

  constructor(
    private provider: GoogleStt,
    private settings: GoogleSttOptions,
    private o: SttOptions,
  ) {
    this.openStream(0);
  }

  private config() {
    return {
      config: {
        encoding: "MULAW",
        sampleRateHertz: 8000,
        languageCode: this.o.language,
        enableAutomaticPunctuation: true,
        ...(this.settings.model ? { model: this.settings.model } : {}),
        ...(this.o.phraseHints.length ? { speechContexts: [{ phrases: this.o.phraseHints.slice(0, 500) }] } : {}),
      },
      interimResults: true,
    };
  }

  private openStream(fromMs: number) {
    const generation = ++this.generation;
    this.opening = true;
    this.streamStartMs = fromMs;
    this.streamAudioMs = 0;
    this.provider.getClient().then(
      (client) => {
        if (this.closed || generation !== this.generation) return;
        const stream = client.streamingRecognize(this.config());
        this.stream = stream;
        this.opening = false;
        stream.on("data", (response: unknown) => generation === this.generation && this.onResponse(response));
        stream.on("error", (err: unknown) => generation === this.generation && this.onStreamError(err));
        stream.on("end", () => generation === this.generation && !this.closed && this.restart("stream ended by server"));
        // the audio after the last final, including what arrived while the stream was opening
        for (const [t, frame] of this.backlog)
          if (t >= fromMs) {
            stream.write(Buffer.from(frame));
            this.streamAudioMs += FRAME_MS;
          }
      },
      (err) => generation === this.generation && this.onStreamError(err),
    );
  }

  private onResponse(response: unknown) {
    const r = response as { results?: Array<{ alternatives?: Array<{ transcript?: string }>; isFinal?: boolean; stability?: number; resultEndTime?: { seconds?: string | number; nanos?: number } }> };
    this.failures = 0;
    for (const result of r.results ?? []) {
      const text = result.alternatives?.[0]?.transcript?.trim() ?? "";
      const end = result.resultEndTime;
      const endInStream = end ? Number(end.seconds ?? 0) * 1000 + Math.round((end.nanos ?? 0) / 1e6) : this.fedMs - this.streamStartMs;
      const out: SttResult = { text, isFinal: Boolean(result.isFinal), stability: result.stability ?? 0, endMs: this.streamStartMs + endInStream };
      if (out.isFinal) {
        this.lastFinalEndMs = Math.max(this.lastFinalEndMs, out.endMs);
        this.backlog = this.backlog.filter(([t]) => t >= this.lastFinalEndMs);
      }
      if (text) this.o.onResult(out);
      if (out.isFinal && this.streamAudioMs >= (this.settings.restartAfterMs ?? 240_000)) this.restart("stream duration limit");
    }
  }

  private onStreamError(err: unknown) {
    if (this.closed) return;
    // the broken stream takes no more audio (writes to it would fail again and count as more errors); frames wait
    // in the backlog, and anything the stream still emits is ignored
    const broken = this.stream;
    this.stream = undefined;
    this.generation++;
    broken?.destroy();
    const error = fromGrpc("google-stt", err);
    // OUT_OF_RANGE is Google's "Exceeded maximum allowed stream duration": restart, it is not a failure
    if (error.kind === "limit") return this.restart("stream duration limit (server)");
    this.failures++;
    if (error.retryable && this.failures <= MAX_RETRIES) {
      setTimeout(() => !this.closed && this.restart(`retry after ${error.kind}`), 200 * this.failures);
      return;
    }
    this.closed = true;
    this.o.onError(error instanceof ProviderError ? error : fromGrpc("google-stt", err));
  }

  /**
   * Replaces the stream, re-sending the audio after the last final. With no final for a long time (a forced
   * restart), at most a quarter of the limit is re-sent so the new stream starts well inside it.
   */
  private restart(reason: string) {
    if (this.closed) return;
    const old = this.stream;
    this.stream = undefined;
    this.o.onRestart?.(reason);
    const maxResend = (this.settings.hardLimitMs ?? 290_000) / 4;
    this.openStream(Math.max(this.lastFinalEndMs, this.fedMs - maxResend));
    // results the old stream still produces would repeat the re-sent audio: they are dropped by `generation`
    old?.end();
  }

  write(frame: Uint8Array): void {
    if (this.closed) return;
    const t = this.fedMs;
    this.fedMs += FRAME_MS;
    this.backlog.push([t, frame]);
    if (this.fedMs - (this.backlog[0]?.[0] ?? t) > MAX_BACKLOG_MS) this.backlog.shift();
    if (this.stream && !this.opening) {
      this.stream.write(Buffer.from(frame));
      this.streamAudioMs += FRAME_MS;
    } // else the backlog re-sends it on open
    if (this.stream && this.streamAudioMs >= (this.settings.hardLimitMs ?? 290_000)) this.restart("hard stream limit");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.generation++;
    this.stream?.end();
    this.stream = undefined;
  }
}
