/**
 * The messages that cross the WhatsApp worker boundary. The worker (Baileys) and the main thread share nothing but
 * this: requests from the main thread carry an `id` and get exactly one reply (a result or an error) within the
 * op's timeout; events from the worker are one-way. Everything is plain structured-clone data, so the same protocol
 * would work over a child process's IPC channel.
 *
 * Events are validated with zod on arrival: the worker parses hostile input from WhatsApp, and a bug there must not
 * reach the CRM as a malformed write.
 *
 * @example { kind: "req", id: 7, op: "send", args: { to: "972501234567@s.whatsapp.net", text: "hi" } }
 */
import { z } from "zod";

/** What the owner sees: no worker at all, loading/connecting, a QR to scan, a pairing code to type, linked, broken. */
export const WA_STATES = ["disabled", "starting", "qr", "pairing", "ok", "err"] as const;
export type WaState = (typeof WA_STATES)[number];

/** Test-only failure modes; the worker honours them only when its init says `faults: true` (never from config). */
export const FAULTS = ["throw", "reject", "exit", "handler-throw", "hang", "close"] as const;
export type Fault = (typeof FAULTS)[number];

/** What the worker needs to run, sent once in `init`. */
export interface WorkerInit {
  dataDir: string;
  /** The WebSocket Baileys connects to (WhatsApp's own unless WHATSAPP_WS_URL is set). */
  wsUrl?: string;
  /** Milliseconds Baileys waits for the WebSocket handshake / the first answer. */
  connectTimeoutMs?: number;
  faults?: boolean;
}

export interface SendResult {
  providerId: string;
  /** The JID the message went to (WhatsApp may answer with the person's LID). */
  jid: string;
}

/** Every request op with its arguments and result. */
export interface Ops {
  init: { args: WorkerInit; result: { registered: boolean; me?: string } };
  /** Opens the one socket of the session; a no-op (`started: false`) when one is open or opening. */
  connect: { args: Record<string, never>; result: { started: boolean } };
  /** Closes the socket without unlinking. */
  disconnect: { args: Record<string, never>; result: Record<string, never> };
  /** Asks WhatsApp for an 8-character pairing code for this number (digits with country code, no +). */
  pair: { args: { phone: string }; result: { code: string } };
  /** Unlinks the device (when connected) and wipes the session. */
  logout: { args: Record<string, never>; result: Record<string, never> };
  /** Wipes the session without talking to WhatsApp (after WhatsApp itself logged us out). */
  wipe: { args: Record<string, never>; result: Record<string, never> };
  /** `to` is a JID (`…@s.whatsapp.net` or `…@lid`). */
  send: { args: { to: string; text: string }; result: SendResult };
  ping: { args: Record<string, never>; result: { at: number } };
  /** Fetches WhatsApp Web's current version (after a 405) and keeps it for the next connections. */
  refreshVersion: { args: Record<string, never>; result: { version: number[]; fetched: boolean } };
  /** `close` ends the socket as if WhatsApp had closed it with status `code`. */
  fault: { args: { fault: Fault; code?: number }; result: Record<string, never> };
}
export type Op = keyof Ops;

/** How long each op may take before the main thread gives up on it (ms). */
export const OP_TIMEOUT_MS: Record<Op, number> = {
  init: 30_000,
  connect: 10_000,
  disconnect: 10_000,
  pair: 30_000,
  logout: 15_000,
  wipe: 10_000,
  send: 30_000,
  ping: 5_000,
  refreshVersion: 15_000,
  fault: 5_000,
};

export type Request = { [K in Op]: { kind: "req"; id: number; op: K; args: Ops[K]["args"] } }[Op];

/** Why a request failed, as the worker sees it; the main thread maps these to user-facing errors. */
export const REPLY_ERRORS = ["not_connected", "not_registered", "registered", "not_on_whatsapp", "bad_request", "failed", "timeout", "gone"] as const;
export type ReplyErrorCode = (typeof REPLY_ERRORS)[number];

export type Reply = { kind: "res"; id: number; ok: true; result: unknown } | { kind: "res"; id: number; ok: false; error: { code: ReplyErrorCode; message: string } };

/** A media file the worker already saved under DATA_DIR/media. */
const mediaFile = z.object({ path: z.string().min(1), mime: z.string().min(1), bytes: z.number().int().nonnegative(), name: z.string().optional() });
export type MediaFile = z.infer<typeof mediaFile>;

/** One live WhatsApp message, reduced to what the CRM keeps. `pn`/`lid` are bare JIDs without device suffix. */
export const inboundSchema = z.object({
  providerId: z.string().min(1).max(200),
  /** The chat's JID as WhatsApp gave it (`…@s.whatsapp.net` or `…@lid`). */
  remote: z.string().min(1).max(200),
  /** The sender's phone JID, when known (`972501234567@s.whatsapp.net`). */
  pn: z.string().max(200).optional(),
  /** The sender's LID (`123456789@lid`), when known. */
  lid: z.string().max(200).optional(),
  /** Sent by the business itself from the phone app. */
  fromMe: z.boolean(),
  pushName: z.string().max(200).optional(),
  text: z.string().max(65_536).optional(),
  /** Kind of content when it is not plain text (image, audio, location, …). */
  kind: z.string().max(50),
  media: z.array(mediaFile).max(10).optional(),
  mediaError: z.string().max(500).optional(),
  /** Epoch milliseconds. */
  at: z.number().int().positive(),
});
export type InboundWa = z.infer<typeof inboundSchema>;

export const RECEIPT_STATUSES = ["sent", "delivered", "read", "failed"] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

const restrictionSchema = z.object({
  reachoutTimeLock: z.object({ active: z.boolean(), until: z.string().optional(), type: z.string().optional() }).optional(),
  messageCapping: z.object({ status: z.string(), used: z.number().optional(), total: z.number().optional(), cycleEnd: z.string().optional() }).optional(),
});
export type Restrictions = z.infer<typeof restrictionSchema>;

export const workerEventSchema = z.discriminatedUnion("type", [
  z.object({ kind: z.literal("ev"), type: z.literal("connecting") }),
  z.object({ kind: z.literal("ev"), type: z.literal("qr"), qr: z.string().min(1).max(2000) }),
  z.object({ kind: z.literal("ev"), type: z.literal("open"), me: z.string().optional() }),
  z.object({
    kind: z.literal("ev"),
    type: z.literal("closed"),
    code: z.number().int().optional(),
    reason: z.string().max(500),
    registered: z.boolean(),
    /** The close followed QR codes that nobody scanned (Baileys ran out of QR refs). */
    qrExpired: z.boolean(),
    /** We asked for it (logout, disconnect): not a failure to react to. */
    intentional: z.boolean(),
  }),
  z.object({ kind: z.literal("ev"), type: z.literal("message"), message: inboundSchema }),
  z.object({ kind: z.literal("ev"), type: z.literal("receipts"), updates: z.array(z.object({ providerId: z.string().min(1).max(200), status: z.enum(RECEIPT_STATUSES) })).max(1000) }),
  z.object({ kind: z.literal("ev"), type: z.literal("lid"), mappings: z.array(z.object({ lid: z.string().min(1).max(200), pn: z.string().min(1).max(200) })).max(5000) }),
  z.object({ kind: z.literal("ev"), type: z.literal("restrictions"), restrictions: restrictionSchema }),
  z.object({ kind: z.literal("ev"), type: z.literal("log"), level: z.enum(["debug", "info", "warn", "error"]), event: z.string().max(100), fields: z.record(z.string(), z.unknown()) }),
]);
export type WorkerEvent = z.infer<typeof workerEventSchema>;

/** Anything the worker posts. */
export type FromWorker = Reply | WorkerEvent;
