/**
 * What to do when WhatsApp closes the socket, by Baileys' status code (`lastDisconnect.error.output.statusCode`):
 *
 * | code | meaning | action |
 * |---|---|---|
 * | 515 | restart required (normal right after pairing) | reconnect at once — at most 3 times a minute, then backoff |
 * | 401 | logged out (unlinked on the phone) | never reuse the session: wipe it, show a new QR code (once) to link again |
 * | 440 | connection replaced (another socket took the session) | back off hard (≥ 30 s, doubling); stop after 3 in a row |
 * | 405 | WhatsApp Web version too old | refresh the version, reconnect with backoff |
 * | 403, 411, 500 | forbidden, multi-device mismatch, bad session | stop and report |
 * | 408, 428, 503, other | timed out, connection lost/closed, unavailable | reconnect with backoff |
 *
 * Every reconnect but the first few 515s waits at least the backoff's base, so no answer from WhatsApp (or a
 * stand-in that closes at once) can drive a tight loop. The counters reset only after a connection stayed open
 * for `stableMs`: a link that opens and drops at once keeps backing off.
 */
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";

export type Decision =
  | { action: "reconnect"; delayMs: number; refreshVersion?: boolean; reason: string }
  /** Wipe the session; when it had been linked, connect again after `delayMs` to show a new QR code. */
  | { action: "wipe"; delayMs?: number; reason: string }
  | { action: "stop"; reason: string };

export interface CloseInfo {
  code?: number;
  reason: string;
  registered: boolean;
  qrExpired: boolean;
  intentional: boolean;
}

export interface PolicyOptions {
  backoff: BackoffOptions;
  /** A connection open this long (ms) counts as healthy and resets the counters. */
  stableMs: number;
  /** The first delay after a 440; doubles with each 440 in a row. */
  replacedFloorMs: number;
  /** After this many 440s in a row, stop. */
  maxReplaced: number;
  /** Immediate reconnects allowed for 515 within `restartWindowMs`. */
  maxImmediateRestarts: number;
  restartWindowMs: number;
}

export const DEFAULT_POLICY: PolicyOptions = {
  backoff: DEFAULT_BACKOFF,
  stableMs: 60_000,
  replacedFloorMs: 30_000,
  maxReplaced: 3,
  maxImmediateRestarts: 3,
  restartWindowMs: 60_000,
};

const STOP_REASONS: Record<number, string> = {
  403: "WhatsApp refused this account (403 forbidden) — it may be banned or restricted; check the phone",
  411: "WhatsApp reports a multi-device mismatch (411) — unlink and link the phone again",
  500: "WhatsApp rejected the saved session (500 bad session) — unlink and link the phone again",
};

export class ReconnectPolicy {
  private backoff: Backoff;
  private openedAt?: number;
  private replacedInRow = 0;
  private restarts: number[] = [];

  constructor(
    private o: PolicyOptions = DEFAULT_POLICY,
    random: () => number = Math.random,
  ) {
    this.backoff = new Backoff(o.backoff, random);
  }

  opened(now = Date.now()): void {
    this.openedAt = now;
  }

  /** Forget history: the owner asked to connect, or the session was wiped. */
  reset(): void {
    this.backoff.reset();
    this.replacedInRow = 0;
    this.restarts = [];
    this.openedAt = undefined;
  }

  /** The decision for a close; advances the counters. */
  closed(c: CloseInfo, now = Date.now()): Decision {
    if (this.openedAt !== undefined && now - this.openedAt >= this.o.stableMs) {
      this.backoff.reset();
      this.replacedInRow = 0;
    }
    this.openedAt = undefined;
    if (c.intentional) return { action: "stop", reason: c.reason || "disconnected on request" };
    if (c.code !== 440) this.replacedInRow = 0;

    switch (c.code) {
      case 515: {
        this.restarts = this.restarts.filter((t) => now - t < this.o.restartWindowMs);
        this.restarts.push(now);
        if (this.restarts.length <= this.o.maxImmediateRestarts) return { action: "reconnect", delayMs: 0, reason: "WhatsApp asked for a restart (normal after linking)" };
        return { action: "reconnect", delayMs: this.backoff.next(), reason: "WhatsApp keeps asking for restarts (515)" };
      }
      case 401:
        // a 401 on a session that was never linked would loop (wipe, connect, 401…): only a linked one gets a new QR
        return {
          action: "wipe",
          delayMs: c.registered ? this.backoff.next() : undefined,
          reason: "WhatsApp logged this device out (unlinked on the phone?); the session was wiped — link the phone again",
        };
      case 440: {
        this.replacedInRow++;
        if (this.replacedInRow >= this.o.maxReplaced)
          return {
            action: "stop",
            reason: `another WhatsApp Web session replaced this one ${this.replacedInRow} times in a row (is the same session running elsewhere?); stopped — reconnect from Settings when it is closed`,
          };
        const floor = this.o.replacedFloorMs * 2 ** (this.replacedInRow - 1);
        return { action: "reconnect", delayMs: Math.max(floor, this.backoff.next()), reason: "another WhatsApp Web session took over this one (440)" };
      }
      case 405:
        return { action: "reconnect", delayMs: this.backoff.next(), refreshVersion: true, reason: "WhatsApp refused the WhatsApp Web version (405); refreshing it" };
      case 403:
      case 411:
      case 500:
        return { action: "stop", reason: STOP_REASONS[c.code]! };
    }
    if (c.qrExpired && !c.registered) return { action: "stop", reason: "the QR code expired without being scanned — ask for a new one (Connect in Settings → WhatsApp)" };
    const what = c.code ? `${c.reason} (${c.code})` : c.reason;
    return { action: "reconnect", delayMs: this.backoff.next(), reason: `connection to WhatsApp lost: ${what}` };
  }
}
