/**
 * Twilio's inbound WhatsApp webhook form → what the inbox keeps. `From` is `whatsapp:+E164` — or, since 2026, a
 * business-scoped user id (`whatsapp:<id>`, also in `ExternalUserId`) for people who hide their number; then the
 * contact is kept by that id. Media (`MediaUrl{i}`, `MediaContentType{i}`) is fetched into DATA_DIR/media before
 * the message is stored, so the inbox shows it at once; a media failure keeps the message and says so.
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
  media?: MediaFile[];
  mediaError?: string;
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

export async function twilioInbound(form: TwilioInboundForm, raw: Record<string, string>, o: { twilio: TwilioWhatsapp; media: MediaStore }): Promise<TwilioInbound> {
  const out: TwilioInbound = { messageSid: form.MessageSid, from: form.From, ...twilioSender(form), profileName: form.ProfileName || undefined, text: textOf(form) };
  const count = form.NumMedia ?? 0;
  const errors: string[] = [];
  const media: MediaFile[] = [];
  for (let i = 0; i < count; i++) {
    const url = raw[`MediaUrl${i}`];
    const mime = (raw[`MediaContentType${i}`] || "application/octet-stream").split(";")[0]!.trim();
    if (!url) continue;
    try {
      const res = await o.twilio.media(url);
      media.push(await o.media.save({ channel: "twilio", providerId: form.MessageSid, index: i, mime }, res.body!));
    } catch (err) {
      errors.push(`media ${i + 1} of ${count} could not be downloaded: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (media.length) out.media = media;
  if (errors.length) out.mediaError = errors.join("; ").slice(0, 500);
  return out;
}
