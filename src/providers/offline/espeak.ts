/**
 * Offline text to speech with espeak-ng (WASM, inside the binary): robotic, but it always works — when Google TTS
 * is not configured or fails. Synthesis runs in a Worker so its ~40 ms of synchronous work per sentence never
 * stalls the event loop that paces every live call; a crashed worker is replaced on the next request.
 */
import { ESPEAK_WORKER_URL } from "../../worker-urls.ts";
import { ProviderError } from "../errors.ts";
import type { TtsProvider } from "../tts.ts";

export { espeakVoice } from "./espeak-wasm.ts";

type Pending = { resolve: (audio: Uint8Array) => void; reject: (err: Error) => void };

/** The Worker that runs espeak-ng, shared by every voice. */
class EspeakWorker {
  private worker?: Worker;
  private pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(
    /** Longest a synthesis may take before the worker is presumed stuck (ms). */
    private timeoutMs: number,
  ) {}

  private getWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(ESPEAK_WORKER_URL);
    worker.onmessage = (e: MessageEvent<{ id: number; audio?: Uint8Array; error?: string }>) => {
      const p = this.pending.get(e.data.id);
      this.pending.delete(e.data.id);
      if (!p) return;
      if (e.data.audio) p.resolve(new Uint8Array(e.data.audio));
      else p.reject(new ProviderError("espeak-ng", "unknown", false, e.data.error ?? "synthesis failed"));
    };
    const fail = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(new ProviderError("espeak-ng", "unavailable", true, why));
      this.pending.clear();
    };
    worker.onerror = (e) => fail(`worker error: ${e.message}`);
    worker.addEventListener("close", () => fail("worker exited"));
    // the worker must not keep the process alive on its own
    (worker as Worker & { unref(): void }).unref();
    this.worker = worker;
    return worker;
  }

  synthesize(text: string, voice: string, signal?: AbortSignal): Promise<Uint8Array> {
    signal?.throwIfAborted();
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProviderError("espeak-ng", "timeout", true, `no audio within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, {
        resolve: (a) => (clearTimeout(timer), resolve(a)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.getWorker().postMessage({ id, text, voice });
    });
  }
}

export class EspeakTts implements TtsProvider {
  readonly name = "espeak-ng";
  private readonly worker: EspeakWorker;

  constructor(
    readonly voice: string,
    /** Longest a synthesis may take before the worker is presumed stuck (ms). */
    timeoutMs = 10_000,
    shared?: EspeakWorker,
  ) {
    this.worker = shared ?? new EspeakWorker(timeoutMs);
  }

  /** The same worker speaking another voice (he, en-us). */
  withVoice(voice: string): EspeakTts {
    return voice === this.voice ? this : new EspeakTts(voice, 0, this.worker);
  }

  /** Starts the worker and compiles the WASM module ahead of the first call. */
  async warm(): Promise<void> {
    await this.synthesize(".");
  }

  synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.worker.synthesize(text, this.voice, signal);
  }
}
