/**
 * Providers behind their health breaker, each with the provider's own interface, so a call never knows whether
 * it talks to Google, to the fallback, or to a provider that just recovered:
 * - TTS: the primary (Google) unless it fails or its breaker is open, then the fallback (espeak-ng) for that text.
 * - LLM: the model with a first-token deadline; a failure, a timeout or an open breaker throws a ProviderError at
 *   once, and the dialog answers that one turn from its script. The next turn tries the model again.
 * - STT: there is no second recognizer, so every call tries it; its health only feeds /readyz (a call whose
 *   recognizer fails becomes a voicemail).
 */
import { realClock, type Clock } from "../clock.ts";
import { ProviderError } from "./errors.ts";
import type { ProviderHealth } from "./health.ts";
import type { ChatMessage, LlmChunk, LlmProvider, ToolSpec } from "./llm.ts";
import type { SttOptions, SttProvider, SttSession } from "./stt.ts";
import type { TtsProvider } from "./tts.ts";

export class GuardedTts implements TtsProvider {
  readonly name: string;

  constructor(
    private primary: TtsProvider,
    private fallback: TtsProvider,
    private health: ProviderHealth,
  ) {
    this.name = `${primary.name}+${fallback.name}`;
  }

  async warm(): Promise<void> {
    await Promise.allSettled([this.primary.warm?.(), this.fallback.warm?.()]);
  }

  async synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    const attempt = this.health.attempt();
    if (!attempt) return this.fallback.synthesize(text, signal);
    try {
      const audio = await this.primary.synthesize(text, signal);
      attempt.ok();
      return audio;
    } catch (err) {
      if (signal?.aborted) {
        attempt.abandon();
        throw err;
      }
      attempt.fail(err);
      return this.fallback.synthesize(text, signal);
    }
  }
}

export interface GuardedLlmOptions {
  /** No first chunk within this → a timeout failure (ms). */
  firstTokenMs: number;
  clock?: Clock;
}

export class GuardedLlm implements LlmProvider {
  readonly name: string;

  constructor(
    private llm: LlmProvider,
    private health: ProviderHealth,
    private o: GuardedLlmOptions,
  ) {
    this.name = llm.name;
  }

  async *stream(request: { messages: ChatMessage[]; tools?: ToolSpec[] }, signal: AbortSignal): AsyncIterable<LlmChunk> {
    const attempt = this.health.attempt();
    if (!attempt) throw this.health.openError();
    const clock = this.o.clock ?? realClock;
    const local = new AbortController();
    const onAbort = () => local.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let answered = false;
    try {
      const iterator = this.llm.stream(request, local.signal)[Symbol.asyncIterator]();
      let timer: unknown;
      const deadline = new Promise<never>((_, reject) => {
        timer = clock.setTimer(() => {
          local.abort();
          reject(new ProviderError("llm", "timeout", true, `no first token within ${this.o.firstTokenMs} ms`));
        }, this.o.firstTokenMs);
      });
      deadline.catch(() => {}); // raced below; never unhandled
      let next: IteratorResult<LlmChunk>;
      try {
        next = await Promise.race([iterator.next(), deadline]);
      } finally {
        clock.clearTimer(timer);
      }
      answered = true;
      attempt.ok();
      while (!next.done) {
        yield next.value;
        next = await iterator.next();
      }
    } catch (err) {
      if (signal.aborted) attempt.abandon();
      else if (answered) this.health.failed(err); // broke off mid-answer
      else attempt.fail(err);
      throw signal.aborted ? err : err instanceof ProviderError ? err : new ProviderError("llm", "unknown", true, err instanceof Error ? err.message : String(err));
    } finally {
      signal.removeEventListener("abort", onAbort);
      local.abort();
      if (!answered) attempt.abandon(); // the consumer stopped before the first chunk
    }
  }
}

export class GuardedStt implements SttProvider {
  readonly name: string;

  constructor(
    private stt: SttProvider,
    private health: ProviderHealth,
  ) {
    this.name = stt.name;
  }

  warm(): Promise<void> {
    return this.stt.warm?.() ?? Promise.resolve();
  }

  open(o: SttOptions): SttSession {
    let heard = false;
    return this.stt.open({
      ...o,
      onResult: (r) => {
        if (!heard) {
          heard = true;
          this.health.succeeded();
        }
        o.onResult(r);
      },
      onError: (e) => {
        this.health.failed(e);
        o.onError(e);
      },
    });
  }
}
