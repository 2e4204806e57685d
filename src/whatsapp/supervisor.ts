/**
 * Keeps WhatsApp (Baileys, in a Worker) running without ever putting the server at risk. The worker is a separate
 * thread speaking protocol.ts; whatever it does — throws, rejects, exits, hangs — the supervisor sees only a
 * message, a missed pong or a `close`, and its WorkerHost (worker-host.ts) starts a fresh worker after backoff. The
 * supervisor owns the reconnect policy (reconnect-policy.ts), so the policy survives worker restarts, the state the
 * owner sees (status-board.ts), and the owner's controls (connect, pair, unlink). One worker at a time: a new one
 * starts only after the old one has reported its end, and the worker itself refuses a second socket.
 */
import { AppError } from "../errors.ts";
import { silentFeed } from "../live-events.ts";
import { EV, log } from "../log.ts";
import { WHATSAPP_WORKER_URL } from "../worker-urls.ts";
import { seconds } from "./backoff.ts";
import { mapWorkerError, type WhatsappControl, type WhatsappStatus } from "./control.ts";
import { phoneOfJid } from "./inbox.ts";
import type { Fault, SendResult, WaState, WorkerEvent } from "./protocol.ts";
import { qrTerminal } from "./qr.ts";
import { DEFAULT_POLICY, ReconnectPolicy } from "./reconnect-policy.ts";
import type { BaileysChannel } from "./sender.ts";
import { StatusBoard } from "./status-board.ts";
import { DEFAULT_TIMINGS, type SupervisorOptions, type SupervisorTimings } from "./supervisor-options.ts";
import type { WorkerClient } from "./worker-client.ts";
import { WorkerHost } from "./worker-host.ts";

export { DEFAULT_TIMINGS, type SupervisorOptions, type SupervisorTimings, type WhatsappSink } from "./supervisor-options.ts";

function printQrOnTerminal(qr: string) {
  process.stderr.write(`\nWhatsApp: scan this QR code with the phone (WhatsApp → Linked devices → Link a device)\n${qrTerminal(qr)}\n`);
}

export class WhatsappSupervisor implements BaileysChannel, WhatsappControl {
  private host: WorkerHost;
  private board: StatusBoard;
  private wantConnected = true;
  /** Why the socket stays down while `wantConnected` is false (kept across worker restarts). */
  private stopReason = "not connected — use Connect in Settings → WhatsApp";
  private timers: { reconnect?: Timer; watchdog?: Timer } = {};
  private readonly t: SupervisorTimings;
  private readonly policy: ReconnectPolicy;

  constructor(private o: SupervisorOptions) {
    this.t = { ...DEFAULT_TIMINGS, ...o.timings };
    this.policy = new ReconnectPolicy({ ...DEFAULT_POLICY, ...o.policy });
    this.board = new StatusBoard(o.live ?? silentFeed, o.readiness);
    this.host = new WorkerHost(
      { workerUrl: o.workerUrl ?? WHATSAPP_WORKER_URL, init: { dataDir: o.dataDir, wsUrl: o.wsUrl, connectTimeoutMs: o.connectTimeoutMs, faults: o.faults }, timings: this.t },
      this.board,
      { event: (ev) => this.onEvent(ev), booted: (client) => this.onBooted(client), ended: () => this.onWorkerEnd() },
    );
  }

  private get client(): WorkerClient | undefined {
    return this.host.client;
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

  start(): void {
    this.host.start();
  }

  private async onBooted(client: WorkerClient) {
    if (this.wantConnected) await this.openSocket(client);
    else this.board.set("err", this.stopReason);
  }

  private async openSocket(client: WorkerClient) {
    this.board.set("starting", "connecting to WhatsApp");
    await client.request("connect", {});
  }

  /** The worker is gone, and its socket with it. */
  private onWorkerEnd() {
    clearTimeout(this.timers.watchdog);
    this.cancelReconnect();
  }

  // ---- what the worker reports ----

  private onEvent(ev: WorkerEvent) {
    const b = this.board;
    switch (ev.type) {
      case "connecting":
        log.info(EV.WHATSAPP_CONNECTING, {});
        clearTimeout(this.timers.watchdog);
        this.timers.watchdog = setTimeout(() => this.host.kill(`no answer from WhatsApp within ${seconds(this.t.connectWatchdogMs)} of connecting`), this.t.connectWatchdogMs);
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
      if (this.timers.reconnect !== timer || this.host.stopping) return; // cancelled meanwhile (Connect, unlink, a worker restart, stop)
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
      this.host.restartNow();
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
    clearTimeout(this.timers.reconnect);
    clearTimeout(this.timers.watchdog);
    await this.host.stop();
  }
}
