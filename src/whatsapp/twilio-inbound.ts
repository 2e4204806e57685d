/**
 * Twilio's inbound WhatsApp webhook form → what the inbox keeps. `From` is `whatsapp:+E164` — or, since 2026, a
 * business-scoped user id (`whatsapp:<id>`, also in `ExternalUserId`) for people who hide their number; then the
 * contact is kept by that id. Media (`MediaUrl{i}`, `MediaContentType{i}`) is only named here; the inbox stores the
 * message first and fetches the media into DATA_DIR/media afterwards (fetchTwilioMedia), because Twilio gives the
 * webhook 15 s to answer and a few large files take longer. A media failure keeps the message and says so.
 */
import { z } from "zod";
import { normalizePhone } from "../crm/phone.ts";
import type { MediaStore } from "./media-store.ts";
import type { MediaFile } from "./protocol.ts";
import type { TwilioWhatsapp } from "./twilio-whatsapp.ts";

export const twilioInboundForm = z.object({
  MessageSid: z.string().regex(/^[A-Za-z]{2}[0-9a-fA-F]{32}$/, "must be a Twilio message SID"),
  From: z.string().min(1, "is required").max(200),
  To: z.string().max(200).optional(),
  Body: z.string().max(65_536).optional(),
  ProfileName: z.string().max(200).optional(),
  WaId: z.string().max(64).optional(),
  ExternalUserId: z.string().max(200).optional(),
  NumMedia: z.coerce.number().int().min(0).max(20).optional(),
  MessageType: z.string().max(50).optional(),
  Latitude: z.string().max(40).optional(),
  Longitude: z.string().max(40).optional(),
  Address: z.string().max(500).optional(),
  Label: z.string().max(200).optional(),
});
export type TwilioInboundForm = z.infer<typeof twilioInboundForm>;

export interface TwilioInbound {
  messageSid: string;
  from: string;
  /** E.164, when the sender is known by number. */
  phone?: string;
  /** Twilio's business-scoped user id, when there is no number. */
  userId?: string;
  profileName?: string;
  text: string | null;
}

/** The sender's number or user id from From / WaId / ExternalUserId. */
export function twilioSender(f: Pick<TwilioInboundForm, "From" | "WaId" | "ExternalUserId">): { phone?: string; userId?: string } {
  const address = f.From.replace(/^whatsapp:/i, "").trim();
  if (/^\+\d{7,15}$/.test(address)) return { phone: normalizePhone(address) ?? address };
  if (f.WaId && /^\d{7,15}$/.test(f.WaId)) return { phone: normalizePhone(`+${f.WaId}`) };
  return { userId: (f.ExternalUserId?.trim() || address).slice(0, 200) };
}

function textOf(f: TwilioInboundForm): string | null {
  if (f.MessageType === "location" && f.Latitude && f.Longitude) {
    const label = [f.Label, f.Address].filter(Boolean).join(", ");
    return `📍 ${f.Latitude},${f.Longitude}${label ? ` ${label}` : ""} https://maps.google.com/?q=${f.Latitude},${f.Longitude}`;
  }
  return f.Body ?? null;
}

/** One attachment named by the webhook, still on Twilio. */
export interface PendingMedia {
  index: number;
  url: string;
  mime: string;
}

/** The webhook form as a message (no media yet) and the attachments it names. */
export function twilioInbound(form: TwilioInboundForm, raw: Record<string, string>): { message: TwilioInbound; media: PendingMedia[] } {
  const message: TwilioInbound = { messageSid: form.MessageSid, from: form.From, ...twilioSender(form), profileName: form.ProfileName || undefined, text: textOf(form) };
  const media: PendingMedia[] = [];
  for (let i = 0; i < (form.NumMedia ?? 0); i++) {
    const url = raw[`MediaUrl${i}`];
    const mime = (raw[`MediaContentType${i}`] || "application/octet-stream").split(";")[0]!.trim();
    if (url) media.push({ index: i, url, mime });
  }
  return { message, media };
}

/** Attachments fetched at once (Twilio's CDN is fast; twenty at a time would only compete for the same link). */
const MEDIA_PARALLEL = 3;

/**
 * Downloads a message's attachments into the media folder, a few at a time, until `signal` aborts (the caller's
 * total deadline). What could not be fetched is reported in `error`, one clause per file; the rest is kept.
 */
export async function fetchTwilioMedia(
  messageSid: string,
  items: PendingMedia[],
  o: { twilio: TwilioWhatsapp; media: MediaStore; signal: AbortSignal },
): Promise<{ media: MediaFile[]; error?: string }> {
  const saved: Array<MediaFile | undefined> = [];
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const slot = next++;
      const item = items[slot]!;
      try {
        o.signal.throwIfAborted();
        const res = await o.twilio.media(item.url, o.signal);
        saved[slot] = await o.media.save({ channel: "twilio", providerId: messageSid, index: item.index, mime: item.mime }, res.body!);
      } catch (err) {
        const reason: unknown = o.signal.reason;
        const why = o.signal.aborted ? (reason instanceof Error ? reason.message : "the download was stopped") : err instanceof Error ? err.message : String(err);
        errors[slot] = `media ${item.index + 1} of ${items.length} could not be downloaded: ${why}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(MEDIA_PARALLEL, items.length) }, worker));
  const error = errors.filter(Boolean).join("; ").slice(0, 500);
  return { media: saved.filter((f): f is MediaFile => Boolean(f)), ...(error ? { error } : {}) };
}
