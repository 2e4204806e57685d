/**
 * The main thread's end of one worker: spawns it, sends requests (each with an id and a timeout; exactly one
 * outcome each — the worker's reply, a timeout, or "gone" when the worker ends first), validates its events, and
 * reports once when it has ended, however that happened (crash, exit, terminate).
 */
import { EV, log } from "../log.ts";
import { OP_TIMEOUT_MS, workerEventSchema, type Op, type Ops, type ReplyErrorCode, type WorkerEvent } from "./protocol.ts";

export class WorkerRequestError extends Error {
  constructor(
    readonly code: ReplyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "WorkerRequestError";
  }
}

export interface WorkerEnd {
  /** The worker's exit code; -1 when terminate() never reported back. */
  code: number;
  /** The uncaught error that ended it, if any. */
  error?: string;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: Timer;
}

export class WorkerClient {
  private worker: Worker;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private lastError?: string;
  private ended?: WorkerEnd;
  private endWaiters: Array<(e: WorkerEnd) => void> = [];
  /** Resolves once, when the worker is gone. */
  readonly closed: Promise<WorkerEnd>;

  constructor(url: string, onEvent: (ev: WorkerEvent) => void) {
    this.closed = new Promise((resolve) => this.endWaiters.push(resolve));
    this.worker = new Worker(url);
    this.worker.addEventListener("message", (e: MessageEvent) => this.onMessage(e.data, onEvent));
    this.worker.addEventListener("error", (e: Event) => {
      this.lastError = (e as ErrorEvent).message || "error";
    });
    this.worker.addEventListener("close", (e: Event) => this.end({ code: (e as CloseEvent).code ?? 0, error: this.lastError }));
  }

  get alive(): boolean {
    return !this.ended;
  }

  private onMessage(data: unknown, onEvent: (ev: WorkerEvent) => void) {
    const d = data as { kind?: string; id?: number; ok?: boolean; result?: unknown; error?: { code: ReplyErrorCode; message: string } };
    if (d?.kind === "res" && typeof d.id === "number") {
      const p = this.pending.get(d.id);
      if (!p) return; // its timeout already answered
      this.pending.delete(d.id);
      clearTimeout(p.timer);
      if (d.ok) p.resolve(d.result);
      else p.reject(new WorkerRequestError(d.error?.code ?? "failed", d.error?.message ?? "the worker failed"));
      return;
    }
    const ev = workerEventSchema.safeParse(data);
    if (!ev.success) {
      log.warn(EV.WHATSAPP_BAD_EVENT, { issue: ev.error.issues[0]?.message, path: ev.error.issues[0]?.path.join(".") });
      return;
    }
    onEvent(ev.data);
  }

  request<K extends Op>(op: K, args: Ops[K]["args"], timeoutMs = OP_TIMEOUT_MS[op]): Promise<Ops[K]["result"]> {
    if (this.ended) return Promise.reject(new WorkerRequestError("gone", "the WhatsApp worker is not running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new WorkerRequestError("timeout", `the WhatsApp worker did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      try {
        this.worker.postMessage({ kind: "req", id, op, args });
      } catch (err) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new WorkerRequestError("gone", `the WhatsApp worker could not be reached: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  }

  /** Ends the worker; `closed` resolves when it is gone, or after `waitMs` if terminate() never reports back. */
  terminate(waitMs = 5000): Promise<WorkerEnd> {
    if (!this.ended) {
      try {
        this.worker.terminate();
      } catch {
        // already gone
      }
      const t = setTimeout(() => this.end({ code: -1, error: `terminate() did not finish within ${waitMs} ms` }), waitMs);
      void this.closed.then(() => clearTimeout(t));
    }
    return this.closed;
  }

  private end(e: WorkerEnd) {
    if (this.ended) return;
    this.ended = e;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new WorkerRequestError("gone", `the WhatsApp worker stopped${e.error ? `: ${e.error}` : ""}`));
      this.pending.delete(id);
    }
    for (const w of this.endWaiters.splice(0)) w(e);
  }
}
