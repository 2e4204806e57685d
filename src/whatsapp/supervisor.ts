/**
 * Keeps WhatsApp (Baileys, in a Worker) running without ever putting the server at risk. The worker is a separate
 * thread speaking protocol.ts; whatever it does — throws, rejects, exits, hangs — the supervisor sees only a
 * message, a missed pong or a `close`, and starts a fresh worker after exponential backoff with jitter (1 s → 5 min;
 * reset once a worker has lived `stableMs`). It owns the reconnect policy (reconnect-policy.ts), so the policy
 * survives worker restarts, and the state the owner sees (status-board.ts). One worker at a time: a new one starts
 * only after the old one has reported its end, and the worker itself refuses a second socket.
 */
import { AppError } from "../errors.ts";
import { silentFeed, type LiveFeed } from "../live-events.ts";
import { EV, log } from "../log.ts";
import type { Readiness } from "../readiness.ts";
import { WHATSAPP_WORKER_URL } from "../worker-urls.ts";
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import { mapWorkerError, type WhatsappControl, type WhatsappStatus } from "./control.ts";
import { phoneOfJid } from "./inbox.ts";
import type { Fault, InboundWa, ReceiptStatus, SendResult, WaState, WorkerEvent } from "./protocol.ts";
import { qrTerminal } from "./qr.ts";
import { DEFAULT_POLICY, ReconnectPolicy, type PolicyOptions } from "./reconnect-policy.ts";
import type { BaileysChannel } from "./sender.ts";
import { StatusBoard } from "./status-board.ts";
import { WorkerClient, WorkerRequestError, type WorkerEnd } from "./worker-client.ts";

/** Where the worker's news goes on the main thread (the inbox and the message store). */
export interface WhatsappSink {
  message(m: InboundWa): void;
  receipts(updates: Array<{ providerId: string; status: ReceiptStatus }>): void;
  lid(mappings: Array<{ lid: string; pn: string }>): void;
}

export interface SupervisorTimings {
  /** How often the worker is pinged, and how long a pong may take before it counts as hung (ms). */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Delay between worker restarts. */
  restart: BackoffOptions;
  /** A worker alive this long (ms) resets the restart backoff. */
  stableMs: number;
  /** A socket that says nothing this long after connecting (no QR, no open, no close) is a hang (ms). */
  connectWatchdogMs: number;
  /** How long pair waits for the socket to offer a QR (ms). */
  pairWaitMs: number;
}

export const DEFAULT_TIMINGS: SupervisorTimings = {
  pingIntervalMs: 10_000,
  pingTimeoutMs: 5_000,
  restart: DEFAULT_BACKOFF,
  stableMs: 60_000,
  connectWatchdogMs: 60_000,
  pairWaitMs: 30_000,
};

export interface SupervisorOptions {
  dataDir: string;
  wsUrl?: string;
  /** Baileys' own handshake timeout (ms). */
  connectTimeoutMs?: number;
  workerUrl?: string;
  timings?: Partial<SupervisorTimings>;
  policy?: Partial<PolicyOptions>;
  /** Tests only: lets the `fault` op through to the worker. */
  faults?: boolean;
  sink: WhatsappSink;
  live?: LiveFeed;
  readiness?: Readiness;
  /** Where a new QR is printed (default: stderr, as a block for the terminal). */
  printQr?: (qr: string) => void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

function printQrOnTerminal(qr: string) {
  process.stderr.write(`\nWhatsApp: scan this QR code with the phone (WhatsApp → Linked devices → Link a device)\n${qrTerminal(qr)}\n`);
}

export class WhatsappSupervisor implements BaileysChannel, WhatsappControl {
  private client?: WorkerClient;
  private gen = 0;
  private board: StatusBoard;
  private wantConnected = true;
  /** Why the socket stays down while `wantConnected` is false (kept across worker restarts). */
  private stopReason = "not connected — use Connect in Settings → WhatsApp";
  private stopping = false;
  private workerStartedAt = 0;
  private killReason?: string;
  private timers: { restart?: Timer; reconnect?: Timer; ping?: Timer; watchdog?: Timer } = {};
  private readonly t: SupervisorTimings;
  private readonly restartBackoff: Backoff;
  private readonly policy: ReconnectPolicy;

  constructor(private o: SupervisorOptions) {
    this.t = { ...DEFAULT_TIMINGS, ...o.timings };
    this.restartBackoff = new Backoff(this.t.restart);
    this.policy = new ReconnectPolicy({ ...DEFAULT_POLICY, ...o.policy });
    this.board = new StatusBoard(o.live ?? silentFeed, o.readiness);
  }

  get connected(): boolean {
    return this.board.state === "ok";
  }

  get summary(): { state: WaState; reason: string } {
    return { state: this.board.state, reason: this.board.reason };
  }

  status(): WhatsappStatus {
    return this.board.status();
  }

  // ---- worker lifecycle ----

  start(): void {
    this.stopping = false;
    this.board.set("starting", "loading the WhatsApp worker");
    this.spawn();
  }

  private spawn() {
    clearTimeout(this.timers.restart);
    this.board.nextAttemptAt = undefined;
    const gen = ++this.gen;
    const client = new WorkerClient(this.o.workerUrl ?? WHATSAPP_WORKER_URL, (ev) => {
      if (gen === this.gen) this.onEvent(ev);
    });
    this.client = client;
    this.killReason = undefined;
    this.workerStartedAt = performance.now();
    void client.closed.then((end) => this.onWorkerEnd(gen, end));
    void this.boot(gen, client);
  }

  private async boot(gen: number, client: WorkerClient) {
    try {
      const r = await client.request("init", { dataDir: this.o.dataDir, wsUrl: this.o.wsUrl, connectTimeoutMs: this.o.connectTimeoutMs, faults: this.o.faults });
      if (gen !== this.gen) return;
      // pinged only once booted: loading Baileys can take seconds on a slow or busy machine, and a ping timeout
      // during that would kill every worker before it starts (init has its own 30 s limit)
      this.timers.ping = setInterval(() => this.ping(gen, client), this.t.pingIntervalMs);
      this.board.me = phoneOfJid(r.me);
      log.info(EV.WHATSAPP_WORKER_STARTED, { registered: r.registered, restarts: this.board.workerRestarts });
      if (this.wantConnected) await this.openSocket(client);
      else this.board.set("err", this.stopReason);
    } catch (err) {
      this.kill(gen, `the WhatsApp worker did not start: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async openSocket(client: WorkerClient) {
    this.board.set("starting", "connecting to WhatsApp");
    await client.request("connect", {});
  }

  private ping(gen: number, client: WorkerClient) {
    if (gen !== this.gen || !client.alive) return;
    client.request("ping", {}, this.t.pingTimeoutMs).catch((err) => {
      if (gen !== this.gen || !(err instanceof WorkerRequestError) || err.code !== "timeout") return;
      log.error(EV.WHATSAPP_WORKER_HUNG, { timeoutMs: this.t.pingTimeoutMs });
      this.kill(gen, `the WhatsApp worker stopped answering (no pong within ${this.t.pingTimeoutMs} ms)`);
    });
  }

  /** Ends a worker that is hung or useless; onWorkerEnd restarts it. */
  private kill(gen: number, reason: string) {
    if (gen !== this.gen || !this.client) return;
    this.killReason = reason;
    void this.client.terminate();
  }

  private onWorkerEnd(gen: number, end: WorkerEnd) {
    if (gen !== this.gen) return;
    clearInterval(this.timers.ping);
    clearTimeout(this.timers.watchdog);
    this.cancelReconnect();
    this.client = undefined;
    this.board.qr = undefined;
    if (this.stopping) return;
    if (performance.now() - this.workerStartedAt >= this.t.stableMs) this.restartBackoff.reset();
    const delay = this.restartBackoff.next();
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

  // ---- what the worker reports ----

  private onEvent(ev: WorkerEvent) {
    const b = this.board;
    switch (ev.type) {
      case "connecting":
        log.info(EV.WHATSAPP_CONNECTING, {});
        clearTimeout(this.timers.watchdog);
        this.timers.watchdog = setTimeout(() => this.kill(this.gen, `no answer from WhatsApp within ${seconds(this.t.connectWatchdogMs)} of connecting`), this.t.connectWatchdogMs);
        return;
      case "qr":
        clearTimeout(this.timers.watchdog);
        b.qr = ev.qr;
        log.info(EV.WHATSAPP_QR, { hint: "scan it in Settings → WhatsApp, or from the terminal" });
        (this.o.printQr ?? printQrOnTerminal)(ev.qr);
        if (b.pairingCode) b.set("pairing", this.pairingReason());
        else b.set("qr", "scan the QR code with WhatsApp on the phone: Linked devices → Link a device (or pair with a phone number)");
        return;
      case "open":
        clearTimeout(this.timers.watchdog);
        this.policy.opened();
        b.qr = undefined;
        b.pairingCode = undefined;
        b.me = phoneOfJid(ev.me) ?? b.me;
        log.info(EV.WHATSAPP_CONNECTED, { me: b.me });
        b.set("ok", b.me ? `linked as ${b.me}` : "linked");
        return;
      case "closed":
        clearTimeout(this.timers.watchdog);
        b.qr = undefined;
        log.warn(EV.WHATSAPP_DISCONNECTED, { code: ev.code, reason: ev.reason, intentional: ev.intentional, registered: ev.registered });
        if (!ev.intentional) this.onClose(ev);
        return;
      case "message":
        return this.deliver("message", () => this.o.sink.message(ev.message));
      case "receipts":
        return this.deliver("receipts", () => this.o.sink.receipts(ev.updates));
      case "lid":
        return this.deliver("lid", () => this.o.sink.lid(ev.mappings));
      case "restrictions":
        b.restrictions = { ...b.restrictions, ...ev.restrictions };
        if (b.restrictions.reachoutTimeLock?.active || (b.restrictions.messageCapping && b.restrictions.messageCapping.status !== "NONE"))
          log.warn(EV.WHATSAPP_RESTRICTED, { restrictions: b.restrictions });
        b.publish();
        return;
      case "log":
        log[ev.level](ev.event.startsWith("whatsapp.") ? ev.event : `whatsapp.${ev.event}`, ev.fields);
        return;
    }
  }

  private deliver(what: string, fn: () => void) {
    try {
      fn();
    } catch (err) {
      log.error(EV.WHATSAPP_EVENT_FAILED, { what, err });
    }
  }

  private pairingReason() {
    return `type the code ${this.board.pairingCode} on the phone: WhatsApp → Linked devices → Link a device → Link with phone number instead`;
  }

  private onClose(ev: Extract<WorkerEvent, { type: "closed" }>) {
    const d = this.policy.closed(ev);
    if (d.action === "stop") return this.standDown(d.reason);
    if (d.action === "wipe") {
      this.board.me = undefined;
      this.board.pairingCode = undefined;
      this.client?.request("wipe", {}).catch((err) => log.error(EV.WHATSAPP_EVENT_FAILED, { what: "wipe", err: String(err) }));
      if (d.delayMs === undefined) return this.standDown(d.reason);
      return this.scheduleConnect(d.delayMs, `${d.reason}; a new QR code in ${seconds(d.delayMs)}`);
    }
    // after a 405 the next socket must use the refreshed version: the reconnect waits for the refresh
    const refreshed = d.refreshVersion
      ? this.client
          ?.request("refreshVersion", {})
          .then((v) => log.info(EV.WHATSAPP_VERSION_REFRESH, v))
          .catch((err) => log.warn(EV.WHATSAPP_VERSION_REFRESH, { err: String(err) }))
      : undefined;
    this.scheduleConnect(d.delayMs, d.delayMs === 0 ? d.reason : `${d.reason}; reconnecting in ${seconds(d.delayMs)}`, refreshed);
  }

  /** The socket stays down until the owner asks (Connect, pair, unlink). */
  private standDown(reason: string) {
    this.wantConnected = false;
    this.stopReason = reason;
    this.board.pairingCode = undefined;
    this.board.set("err", reason);
  }

  private cancelReconnect() {
    clearTimeout(this.timers.reconnect);
    this.timers.reconnect = undefined;
    this.board.nextAttemptAt = undefined;
  }

  private scheduleConnect(delayMs: number, reason: string, after?: Promise<unknown>) {
    this.cancelReconnect();
    this.wantConnected = true;
    this.board.nextAttemptAt = Date.now() + delayMs;
    this.board.set(delayMs === 0 ? "starting" : "err", reason);
    const timer = setTimeout(async () => {
      await after;
      if (this.timers.reconnect !== timer || this.stopping) return; // cancelled meanwhile (Connect, unlink, a worker restart, stop)
      this.timers.reconnect = undefined;
      this.board.nextAttemptAt = undefined;
      const client = this.client;
      if (!client || !this.wantConnected) return;
      this.openSocket(client).catch((err) => log.warn(EV.WHATSAPP_EVENT_FAILED, { what: "connect", err: String(err) }));
    }, delayMs);
    this.timers.reconnect = timer;
  }

  // ---- what the owner and the sender ask ----

  async send(to: string, text: string): Promise<SendResult> {
    if (!this.client || !this.connected) throw new AppError("unavailable", `WhatsApp is not connected (${this.board.state}: ${this.board.reason})`);
    try {
      return await this.client.request("send", { to, text });
    } catch (err) {
      throw mapWorkerError(err);
    }
  }

  async pair(phone: string): Promise<string> {
    const b = this.board;
    if (b.state === "ok") throw new AppError("conflict", `WhatsApp is already linked${b.me ? ` as ${b.me}` : ""}; unlink it first`);
    if (b.state !== "qr" && b.state !== "pairing") await this.connect();
    const ready = await b.waitFor(() => b.state === "qr" || b.state === "pairing" || b.state === "ok", this.t.pairWaitMs);
    // the wait lets the state move on: read it again
    if ((b.state as WaState) === "ok") throw new AppError("conflict", "WhatsApp got linked meanwhile");
    if (!ready || !this.client) throw new AppError("unavailable", `WhatsApp did not get ready for pairing within ${seconds(this.t.pairWaitMs)} (${b.state}: ${b.reason})`);
    try {
      b.pairingCode = (await this.client.request("pair", { phone: phone.replace(/^\+/, "") })).code;
    } catch (err) {
      throw mapWorkerError(err);
    }
    b.set("pairing", this.pairingReason());
    return b.pairingCode;
  }

  /** Unlinks the phone and wipes the session, then offers a new QR code. */
  async logout(): Promise<void> {
    if (!this.client) throw new AppError("unavailable", `the WhatsApp worker is not running (${this.board.reason}); try again in a moment`);
    this.cancelReconnect();
    try {
      await this.client.request("logout", {});
    } catch (err) {
      throw mapWorkerError(err);
    }
    Object.assign(this.board, { me: undefined, pairingCode: undefined, qr: undefined, restrictions: {} });
    this.policy.reset();
    this.wantConnected = true;
    this.board.set("starting", "unlinked; preparing a new QR code");
    await this.openSocket(this.client).catch((err) => log.warn(EV.WHATSAPP_EVENT_FAILED, { what: "connect", err: String(err) }));
  }

  /** The owner asks to (re)connect now: forgets the backoff, restarts the worker if it is down. */
  async connect(): Promise<void> {
    this.policy.reset();
    this.wantConnected = true;
    this.cancelReconnect();
    if (!this.client) {
      this.restartBackoff.reset();
      this.board.set("starting", "restarting the WhatsApp worker");
      this.spawn();
      return;
    }
    try {
      await this.openSocket(this.client);
    } catch (err) {
      throw mapWorkerError(err);
    }
  }

  /** Tests only (refused by the worker unless built with `faults: true`). */
  async fault(fault: Fault, code?: number): Promise<void> {
    await this.client?.request("fault", { fault, code });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of Object.values(this.timers)) clearTimeout(t);
    clearInterval(this.timers.ping);
    const client = this.client;
    if (!client) return;
    await client.request("disconnect", {}, 3000).catch(() => {});
    await client.terminate(3000);
  }
}
