/**
 * Twilio Media Streams wire format (pure: parse and serialize, no socket).
 * Inbound messages are validated with zod exactly as Twilio documents them (sequenceNumber, chunk and timestamp
 * are strings); outbound the app only ever sends text `media`, `mark` and `clear`.
 */
import { z } from "zod";
import { FRAME_BYTES } from "../../audio/mulaw.ts";

/**
 * What a CallSid/StreamSid may look like here (Twilio's are `CA`/`MZ` + 32 hex; test and seed ids such as
 * `CA_TEST` also fit). Anything else is refused before it reaches a log line, a file name or the database.
 */
export const TWILIO_SID = /^[A-Za-z0-9_-]{1,64}$/;

const connected = z.object({ event: z.literal("connected"), protocol: z.string().optional(), version: z.string().optional() });
const start = z.object({
  event: z.literal("start"),
  sequenceNumber: z.string().optional(),
  streamSid: z.string().min(1),
  start: z.object({
    accountSid: z.string().optional(),
    streamSid: z.string().optional(),
    callSid: z.string().min(1),
    tracks: z.array(z.string()).optional(),
    customParameters: z.record(z.string(), z.string()).optional().default({}),
    mediaFormat: z.object({ encoding: z.string(), sampleRate: z.number(), channels: z.number() }).optional(),
  }),
});
const media = z.object({
  event: z.literal("media"),
  sequenceNumber: z.string().optional(),
  streamSid: z.string().optional(),
  media: z.object({ track: z.string().optional(), chunk: z.string().optional(), timestamp: z.string().optional(), payload: z.string() }),
});
const dtmf = z.object({
  event: z.literal("dtmf"),
  streamSid: z.string().optional(),
  sequenceNumber: z.string().optional(),
  dtmf: z.object({ track: z.string().optional(), digit: z.string().min(1) }),
});
const mark = z.object({ event: z.literal("mark"), streamSid: z.string().optional(), sequenceNumber: z.string().optional(), mark: z.object({ name: z.string() }) });
const stop = z.object({
  event: z.literal("stop"),
  streamSid: z.string().optional(),
  sequenceNumber: z.string().optional(),
  stop: z.object({ accountSid: z.string().optional(), callSid: z.string().optional() }).optional(),
});

const inbound = z.discriminatedUnion("event", [connected, start, media, dtmf, mark, stop]);
export type InboundMessage = z.infer<typeof inbound>;
export type StartMessage = z.infer<typeof start>;

export type ParseResult =
  | { ok: true; message: InboundMessage }
  /** An event this app does not know: ignored, not an error. */
  | { ok: "ignored"; event: string }
  | { ok: false; reason: "binary" | "not_json" | "invalid"; detail?: string };

const KNOWN = new Set(["connected", "start", "media", "dtmf", "mark", "stop"]);

export function parseInbound(data: string | Buffer | ArrayBuffer | Uint8Array): ParseResult {
  if (typeof data !== "string") return { ok: false, reason: "binary" };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: "not_json" };
  }
  const event = (json as { event?: unknown } | null)?.event;
  if (typeof event === "string" && !KNOWN.has(event)) return { ok: "ignored", event };
  const result = inbound.safeParse(json);
  if (!result.success) return { ok: false, reason: "invalid", detail: result.error.issues[0]?.path.join(".") };
  return { ok: true, message: result.data };
}

export type PayloadResult = { ok: true; audio: Uint8Array; wrongSize: boolean } | { ok: false; reason: "bad_base64" | "empty" };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes a media payload; Twilio sends 20 ms frames (160 bytes) of μ-law — any other size is flagged. */
export function decodePayload(payload: string): PayloadResult {
  if (payload.length % 4 !== 0 || !BASE64.test(payload)) return { ok: false, reason: "bad_base64" };
  const audio = Buffer.from(payload, "base64");
  if (!audio.length) return { ok: false, reason: "empty" };
  return { ok: true, audio: new Uint8Array(audio.buffer, audio.byteOffset, audio.length), wrongSize: audio.length !== FRAME_BYTES };
}

export const mediaMessage = (streamSid: string, frame: Uint8Array) =>
  JSON.stringify({ event: "media", streamSid, media: { payload: Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString("base64") } });

export const markMessage = (streamSid: string, name: string) => JSON.stringify({ event: "mark", streamSid, mark: { name } });

export const clearMessage = (streamSid: string) => JSON.stringify({ event: "clear", streamSid });
