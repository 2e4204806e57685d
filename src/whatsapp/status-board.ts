/**
 * The WhatsApp state the owner sees — `disabled|starting|qr|pairing|ok|err` with a reason, the QR while pairing,
 * the linked number, WhatsApp's restrictions — kept in memory and pushed on every change to /readyz (ok/pending/err
 * with "state: reason" in details) and to the `whatsapp.state` live event.
 */
import { LIVE, type LiveFeed } from "../live-events.ts";
import { EV, log } from "../log.ts";
import type { Readiness } from "../readiness.ts";
import type { WhatsappStatus } from "./control.ts";
import type { Restrictions, WaState } from "./protocol.ts";
import { qrSvg } from "./qr.ts";

const READY: Record<WaState, "ok" | "pending" | "err"> = { disabled: "ok", ok: "ok", starting: "pending", qr: "pending", pairing: "pending", err: "err" };

export class StatusBoard {
  state: WaState = "starting";
  reason = "not started";
  qr?: string;
  pairingCode?: string;
  me?: string;
  restrictions: Restrictions = {};
  nextAttemptAt?: number;
  workerRestarts = 0;
  private since = new Date();
  private svg?: { qr: string; svg: string };
  private waiters: Array<() => void> = [];

  constructor(
    private live: LiveFeed,
    private readiness?: Readiness,
  ) {}

  set(state: WaState, reason: string): void {
    if (state !== this.state) this.since = new Date();
    const changed = state !== this.state || reason !== this.reason;
    this.state = state;
    this.reason = reason;
    this.readiness?.set("whatsapp", READY[state], `${state}: ${reason}`);
    if (changed) log.info(EV.WHATSAPP_STATE, { state, reason });
    this.publish();
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Pushes the current status to the live feed (also after a new QR or restriction). The QR and the pairing code
   * stay out of it — every signed-in user gets live events, and only owners and admins may link a phone; the page
   * fetches them from GET /api/whatsapp/status when `qrAvailable` says there is one.
   */
  publish(): void {
    const { qr, qrSvg: _svg, pairingCode, ...s } = this.status();
    this.live.publish(LIVE.WHATSAPP_STATE, { ...s, qrAvailable: Boolean(qr), pairingCodeAvailable: Boolean(pairingCode) });
  }

  status(): WhatsappStatus {
    if (this.qr && this.svg?.qr !== this.qr) this.svg = { qr: this.qr, svg: qrSvg(this.qr) };
    return {
      state: this.state,
      reason: this.reason,
      since: this.since.toISOString(),
      ...(this.qr ? { qr: this.qr, qrSvg: this.svg!.svg } : {}),
      ...(this.pairingCode ? { pairingCode: this.pairingCode } : {}),
      ...(this.me ? { me: this.me } : {}),
      restrictions: this.restrictions,
      ...(this.nextAttemptAt ? { nextAttemptAt: new Date(this.nextAttemptAt).toISOString() } : {}),
      workerRestarts: this.workerRestarts,
    };
  }

  /** Resolves true as soon as `pred` holds after a state change, false after `timeoutMs`. */
  waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    if (pred()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(pred()), timeoutMs);
      const check = () => {
        if (!pred()) return void this.waiters.push(check);
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(check);
    });
  }
}
