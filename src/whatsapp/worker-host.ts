/**
 * The WhatsApp worker's life on the main thread: spawns one worker at a time, boots it (`init`), pings it once it
 * has booted, ends it when it hangs or is useless, and — however it ended — starts a fresh one after exponential
 * backoff with jitter (1 s → 5 min; reset once a worker has lived `stableMs`). Only the current worker is heard:
 * each spawn is a new generation, and news from an older one is dropped.
 */
import { EV, log } from "../log.ts";
import { Backoff, seconds } from "./backoff.ts";
import { phoneOfJid } from "./inbox.ts";
import type { WorkerEvent, WorkerInit } from "./protocol.ts";
import type { StatusBoard } from "./status-board.ts";
import type { SupervisorTimings } from "./supervisor-options.ts";
import { WorkerClient, WorkerRequestError, type WorkerEnd } from "./worker-client.ts";

/** What the host tells its owner about the current worker. */
export interface WorkerHostHooks {
  /** An event from the current worker. */
  event(ev: WorkerEvent): void;
  /** The current worker answered `init`; a rejection ends the worker as one that did not start. */
  booted(client: WorkerClient): Promise<void>;
  /** The current worker has ended (before any restart is scheduled). */
  ended(): void;
}

export interface WorkerHostOptions {
  workerUrl: string;
  init: WorkerInit;
  timings: Pick<SupervisorTimings, "pingIntervalMs" | "pingTimeoutMs" | "restart" | "stableMs">;
}

export class WorkerHost {
  private current?: WorkerClient;
  private gen = 0;
  private stopped = false;
  private workerStartedAt = 0;
  private killReason?: string;
  private timers: { restart?: Timer; ping?: Timer } = {};
  private readonly backoff: Backoff;

  constructor(
    private o: WorkerHostOptions,
    private board: StatusBoard,
    private hooks: WorkerHostHooks,
  ) {
    this.backoff = new Backoff(o.timings.restart);
  }

  /** The running worker, if any. */
  get client(): WorkerClient | undefined {
    return this.current;
  }

  /** True once stop() was called (until the next start()). */
  get stopping(): boolean {
    return this.stopped;
  }

  start(): void {
    this.stopped = false;
    this.board.set("starting", "loading the WhatsApp worker");
    this.spawn();
  }

  /** The owner asks for a worker now: forgets the restart backoff and spawns at once. */
  restartNow(): void {
    this.backoff.reset();
    this.board.set("starting", "restarting the WhatsApp worker");
    this.spawn();
  }

  /** Ends the current worker as hung or useless; it is restarted like any worker that ended. */
  kill(reason: string): void {
    this.killGen(this.gen, reason);
  }

  private spawn() {
    clearTimeout(this.timers.restart);
    this.board.nextAttemptAt = undefined;
    const gen = ++this.gen;
    const client = new WorkerClient(this.o.workerUrl, (ev) => {
      if (gen === this.gen) this.hooks.event(ev);
    });
    this.current = client;
    this.killReason = undefined;
    this.workerStartedAt = performance.now();
    void client.closed.then((end) => this.onWorkerEnd(gen, end));
    void this.boot(gen, client);
  }

  private async boot(gen: number, client: WorkerClient) {
    try {
      const r = await client.request("init", this.o.init);
      if (gen !== this.gen) return;
      // pinged only once booted: loading Baileys can take seconds on a slow or busy machine, and a ping timeout
      // during that would kill every worker before it starts (init has its own 30 s limit)
      this.timers.ping = setInterval(() => this.ping(gen, client), this.o.timings.pingIntervalMs);
      this.board.me = phoneOfJid(r.me);
      log.info(EV.WHATSAPP_WORKER_STARTED, { registered: r.registered, restarts: this.board.workerRestarts });
      await this.hooks.booted(client);
    } catch (err) {
      this.killGen(gen, `the WhatsApp worker did not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private ping(gen: number, client: WorkerClient) {
    if (gen !== this.gen || !client.alive) return;
    const timeoutMs = this.o.timings.pingTimeoutMs;
    client.request("ping", {}, timeoutMs).catch((err) => {
      if (gen !== this.gen || !(err instanceof WorkerRequestError) || err.code !== "timeout") return;
      log.error(EV.WHATSAPP_WORKER_HUNG, { timeoutMs });
      this.killGen(gen, `the WhatsApp worker stopped answering (no pong within ${timeoutMs} ms)`);
    });
  }

  private killGen(gen: number, reason: string) {
    if (gen !== this.gen || !this.current) return;
    this.killReason = reason;
    void this.current.terminate();
  }

  private onWorkerEnd(gen: number, end: WorkerEnd) {
    if (gen !== this.gen) return;
    clearInterval(this.timers.ping);
    this.hooks.ended();
    this.current = undefined;
    this.board.qr = undefined;
    if (this.stopped) return;
    if (performance.now() - this.workerStartedAt >= this.o.timings.stableMs) this.backoff.reset();
    const delay = this.backoff.next();
    this.board.workerRestarts++;
    const why = this.killReason ?? `the WhatsApp worker stopped (exit code ${end.code}${end.error ? `: ${end.error}` : ""})`;
    log.error(EV.WHATSAPP_WORKER_CRASHED, { code: end.code, error: end.error, killed: this.killReason, restartInMs: delay, restarts: this.board.workerRestarts });
    this.board.nextAttemptAt = Date.now() + delay;
    this.board.set("err", `${why}; restarting in ${seconds(delay)}`);
    this.timers.restart = setTimeout(() => {
      log.info(EV.WHATSAPP_WORKER_RESTART, { restarts: this.board.workerRestarts });
      this.board.set("starting", "restarting the WhatsApp worker");
      this.spawn();
    }, delay);
  }

  /** Stops restarting, asks the worker to close its socket (3 s), then ends it (3 s). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timers.restart);
    clearInterval(this.timers.ping);
    const client = this.current;
    if (!client) return;
    await client.request("disconnect", {}, 3000).catch(() => {});
    await client.terminate(3000);
  }
}
