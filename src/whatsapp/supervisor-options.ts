/** What the WhatsApp supervisor is given: where the worker's news goes, its timings and its options. */
import type { LiveFeed } from "../live-events.ts";
import type { Readiness } from "../readiness.ts";
import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";
import type { InboundWa, ReceiptStatus } from "./protocol.ts";
import type { PolicyOptions } from "./reconnect-policy.ts";

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
