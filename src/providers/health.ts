/**
 * Provider health: one circuit breaker per provider (Google STT, Google TTS, the LLM), shared by every call, that
 * reports itself to /readyz. The wrappers in guarded.ts use it with the provider's own interface.
 *
 * closed ──failure──► open ──cool-down over──► half-open (one trial request) ──success──► closed
 *                                                        └──failure──► open (cool-down doubled, ≤ maxCooldownMs)
 * While open, requests go straight to the fallback instead of waiting for a provider that just failed; after the
 * first failure the cool-down is short (1 s), so the next turn of a call tries the provider again.
 */
import { ProviderError } from "./errors.ts";

export type HealthStatus = "ok" | "err";

export interface HealthOptions {
  /** Shown in /readyz: the component's name there ("stt", "tts", "llm"). */
  component: string;
  /** Tells readiness (or anyone) the provider's state; `reason` names the failure or what works. */
  report(status: HealthStatus, reason?: string): void;
  /** Reason reported when the provider answers again. */
  okDetail?: string;
  /** What callers get meanwhile, appended to the failure reason (e.g. "calls use espeak-ng"). */
  degraded?: string;
  /** A failure happened (for the log). */
  onFailure?(error: ProviderError): void;
  /** First cool-down after the breaker opens (ms). */
  cooldownMs?: number;
  /** Longest cool-down after repeated failed trials (ms). */
  maxCooldownMs?: number;
  now?: () => number;
}

/** One use of the provider, settled exactly once: ok, failed, or abandoned (aborted by the caller). */
export interface Attempt {
  ok(): void;
  fail(error: unknown): void;
  /** Neither success nor failure (the request was aborted): a half-open trial is handed back. */
  abandon(): void;
}

type State = "closed" | "open" | "half-open";

export class ProviderHealth {
  state: State = "closed";
  private openedAt = 0;
  private cooldown: number;
  private trialInFlight = false;
  private reported: HealthStatus | undefined;

  constructor(private o: HealthOptions) {
    this.cooldown = o.cooldownMs ?? 1000;
  }

  private now(): number {
    return (this.o.now ?? performance.now.bind(performance))();
  }

  /** What was last reported (undefined: nothing yet). */
  get status(): HealthStatus | undefined {
    return this.reported;
  }

  /** A use of the provider, or undefined when the breaker says to go to the fallback right away. */
  attempt(): Attempt | undefined {
    if (this.state === "open" && this.now() - this.openedAt >= this.cooldown) this.state = "half-open";
    if (this.state === "open") return undefined;
    if (this.state === "half-open") {
      if (this.trialInFlight) return undefined;
      this.trialInFlight = true;
    }
    const trial = this.state === "half-open";
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (trial) this.trialInFlight = false;
      fn();
    };
    return {
      ok: () => settle(() => this.succeeded()),
      fail: (error) => settle(() => this.failed(error)),
      abandon: () => settle(() => {}),
    };
  }

  /** The provider worked (for providers used without the gate, e.g. a recognizer stream). */
  succeeded(): void {
    if (this.state !== "closed") this.cooldown = this.o.cooldownMs ?? 1000;
    this.state = "closed";
    if (this.reported !== "ok") {
      this.reported = "ok";
      this.o.report("ok", this.o.okDetail);
    }
  }

  /** The provider failed. */
  failed(err: unknown): void {
    const error = asProviderError(this.o.component, err);
    if (this.state === "half-open") this.cooldown = Math.min(this.cooldown * 2, this.o.maxCooldownMs ?? 30_000);
    this.state = "open";
    this.openedAt = this.now();
    this.reported = "err";
    this.o.report("err", `${error.kind}: ${error.message}${this.o.degraded ? `; ${this.o.degraded}` : ""}`);
    this.o.onFailure?.(error);
  }

  /** The error a gated request gets while the breaker is open. */
  openError(): ProviderError {
    return new ProviderError(this.o.component, "unavailable", true, "failing recently; not tried until its cool-down ends");
  }
}

export function asProviderError(provider: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  return new ProviderError(provider, "unknown", true, err instanceof Error ? err.message : String(err));
}
