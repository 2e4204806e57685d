/**
 * What the HTTP layer sees of WhatsApp: its status and the owner's actions (pair, unlink, connect), served by the
 * supervisor — or by `disabledWhatsapp` when WHATSAPP_ENABLED is off — and the mapping of the worker's refusals to
 * typed errors.
 */
import { AppError } from "../errors.ts";
import type { Readiness } from "../readiness.ts";
import type { Restrictions, WaState } from "./protocol.ts";
import { WorkerRequestError } from "./worker-client.ts";

export interface WhatsappStatus {
  state: WaState;
  reason: string;
  since: string;
  /** The raw QR payload and an SVG of it, while waiting to be scanned. */
  qr?: string;
  qrSvg?: string;
  pairingCode?: string;
  /** The linked number (E.164). */
  me?: string;
  /** WhatsApp's limits on this account (reachout time lock, new-chat message capping). */
  restrictions: Restrictions;
  nextAttemptAt?: string;
  workerRestarts: number;
}

export interface WhatsappControl {
  status(): WhatsappStatus;
  /** An 8-character pairing code for a phone number (E.164). */
  pair(phone: string): Promise<string>;
  /** Unlink the phone and wipe the session. */
  logout(): Promise<void>;
  /** Connect now (forgetting any backoff). */
  connect(): Promise<void>;
}

/** WHATSAPP_ENABLED=false: the state says so and every action explains how to turn it on. */
export function disabledWhatsapp(readiness?: Readiness): WhatsappControl {
  const reason = "WHATSAPP_ENABLED=false";
  readiness?.set("whatsapp", "ok", `disabled: ${reason}`);
  const since = new Date().toISOString();
  const off = async (): Promise<never> => {
    throw new AppError("not_configured", "WhatsApp linking is off: set WHATSAPP_ENABLED=true and restart");
  };
  return { status: () => ({ state: "disabled", reason, since, restrictions: {}, workerRestarts: 0 }), pair: off, logout: off, connect: off };
}

/** A worker refusal → the error the API answers with. */
export function mapWorkerError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof WorkerRequestError) {
    if (err.code === "not_on_whatsapp") return new AppError("validation", `to: ${err.message}`, "to");
    if (err.code === "bad_request") return new AppError("validation", err.message);
    if (err.code === "registered" || err.code === "not_registered") return new AppError("conflict", err.message);
    return new AppError("unavailable", `WhatsApp: ${err.message}`);
  }
  return new AppError("unavailable", `WhatsApp: ${err instanceof Error ? err.message : String(err)}`);
}
