/**
 * The pino-shaped logger Baileys wants (ILogger), forwarding only warnings and errors to the main thread's log as
 * `whatsapp.baileys` lines. Baileys logs every frame at debug/trace and every reconnect at info; those stay in the
 * worker. Objects are reduced to a few short fields so a log line never carries a message's content or a key.
 */
import type { makeCacheableSignalKeyStore } from "@whiskeysockets/baileys";
import { EV } from "../../log.ts";

/** Baileys' ILogger (not exported by the package index). */
export type ILogger = NonNullable<Parameters<typeof makeCacheableSignalKeyStore>[1]>;

export type Forward = (level: "warn" | "error", event: string, fields: Record<string, unknown>) => void;

function summary(obj: unknown, msg?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (msg) out.msg = msg.slice(0, 300);
  if (typeof obj === "string") out.msg = obj.slice(0, 300);
  else if (obj && typeof obj === "object") {
    const o = obj as Record<string, unknown>;
    const err = o.err ?? o.error ?? (obj instanceof Error ? obj : undefined);
    if (err) out.err = (err instanceof Error ? err.message : String(err)).slice(0, 300);
    for (const k of ["class", "jid", "attempt", "statusCode"]) if (typeof o[k] === "string" || typeof o[k] === "number") out[k] = o[k];
  }
  return out;
}

export function baileysLogger(forward: Forward, bindings: Record<string, unknown> = {}): ILogger {
  const logger: ILogger = {
    level: "warn",
    child: (obj) => baileysLogger(forward, { ...bindings, ...obj }),
    trace: () => {},
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => forward("warn", EV.WHATSAPP_BAILEYS, { ...summary(obj, msg), ...(bindings.class ? { class: bindings.class } : {}) }),
    // Baileys reports every ordinary disconnect as an error; the supervisor logs what matters at its own level
    error: (obj, msg) => forward("warn", EV.WHATSAPP_BAILEYS, { ...summary(obj, msg), ...(bindings.class ? { class: bindings.class } : {}) }),
  };
  return logger;
}
