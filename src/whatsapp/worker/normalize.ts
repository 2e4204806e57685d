/**
 * Baileys' events reduced to what the CRM keeps — pure functions, no socket: a `messages.upsert` message becomes
 * an InboundWa (sender by phone JID and/or LID, text, what media to fetch), `messages.update` and
 * `message-receipt.update` become receipt statuses, `lid-mapping.update` a bare LID ↔ phone pair.
 * Worker-side (imports Baileys' JID and content helpers).
 */
import {
  getContentType,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  normalizeMessageContent,
  type MessageUserReceiptUpdate,
  type proto,
  type WAMessage,
  type WAMessageUpdate,
} from "@whiskeysockets/baileys";
import type { InboundWa, ReceiptStatus } from "../protocol.ts";

export type MediaKind = "image" | "video" | "audio" | "document" | "sticker";

export interface NormalizedMessage {
  inbound: Omit<InboundWa, "media" | "mediaError">;
  /** Present when the message carries a file to download. */
  media?: { kind: MediaKind; mime: string; name?: string };
}

/** Only one-to-one chats reach the CRM: groups, broadcasts, status updates and channels are ignored. */
export function ignoredJid(jid: string | undefined | null): boolean {
  if (!jid) return true;
  return Boolean(isJidGroup(jid) || isJidBroadcast(jid) || isJidNewsletter(jid));
}

/** `972501234567:12@s.whatsapp.net` → `972501234567@s.whatsapp.net`; undefined for anything but a person. */
function bare(jid: string | undefined | null): string | undefined {
  if (!jid) return undefined;
  const n = jidNormalizedUser(jid);
  return n || undefined;
}

function epochMs(ts: WAMessage["messageTimestamp"]): number {
  const seconds = typeof ts === "number" ? ts : ts && typeof ts === "object" && "toNumber" in ts ? ts.toNumber() : Number(ts ?? 0);
  return seconds > 0 ? Math.round(seconds * 1000) : Date.now();
}

/** The sender's phone JID and LID from a DM key: the chat JID is one of them, `remoteJidAlt` (when sent) the other. */
export function senderOf(key: WAMessage["key"]): { pn?: string; lid?: string } {
  const ids = [key.remoteJid, (key as { remoteJidAlt?: string }).remoteJidAlt].map((j) => bare(j));
  return { pn: ids.find((j) => j && isPnUser(j)), lid: ids.find((j) => j && isLidUser(j)) };
}

const MEDIA: Array<[keyof proto.IMessage, MediaKind]> = [
  ["imageMessage", "image"],
  ["videoMessage", "video"],
  ["audioMessage", "audio"],
  ["documentMessage", "document"],
  ["stickerMessage", "sticker"],
];

/** Content types that are not a message for the inbox (reactions, edits, deletions, key distribution, …). */
const SKIP = new Set<string>(["protocolMessage", "reactionMessage", "senderKeyDistributionMessage", "messageContextInfo", "pollUpdateMessage", "keepInChatMessage", "encReactionMessage"]);

/** One live message; undefined for what the inbox does not show (groups, system stubs, reactions, …). */
export function normalizeMessage(msg: WAMessage): NormalizedMessage | undefined {
  const key = msg.key;
  if (!key?.id || ignoredJid(key.remoteJid)) return undefined;
  const content = normalizeMessageContent(msg.message);
  if (!content) return undefined;
  const type = getContentType(content);
  if (!type || SKIP.has(type)) return undefined;

  const { pn, lid } = senderOf(key);
  if (!pn && !lid) return undefined;
  const inbound: NormalizedMessage["inbound"] = {
    providerId: key.id,
    remote: key.remoteJid!,
    pn,
    lid,
    fromMe: Boolean(key.fromMe),
    pushName: msg.pushName || undefined,
    kind: type.replace(/Message$/, ""),
    at: epochMs(msg.messageTimestamp),
  };

  if (type === "conversation") inbound.text = content.conversation ?? "";
  else if (type === "extendedTextMessage") inbound.text = content.extendedTextMessage?.text ?? "";
  else if (type === "locationMessage" || type === "liveLocationMessage") {
    const loc = content.locationMessage ?? content.liveLocationMessage;
    const lat = loc?.degreesLatitude;
    const lon = loc?.degreesLongitude;
    const label = [(loc as proto.Message.ILocationMessage | undefined)?.name, (loc as proto.Message.ILocationMessage | undefined)?.address].filter(Boolean).join(", ");
    inbound.kind = "location";
    inbound.text = `📍 ${lat},${lon}${label ? ` ${label}` : ""} https://maps.google.com/?q=${lat},${lon}`;
  } else if (type === "contactMessage") {
    inbound.text = `👤 ${content.contactMessage?.displayName ?? ""}\n${content.contactMessage?.vcard ?? ""}`.trim();
  }

  for (const [field, kind] of MEDIA) {
    if (type !== field) continue;
    const m = content[field] as { mimetype?: string | null; caption?: string | null; fileName?: string | null } | null | undefined;
    inbound.text = m?.caption ?? undefined;
    return { inbound, media: { kind, mime: m?.mimetype?.split(";")[0]?.trim() || "application/octet-stream", name: m?.fileName ?? undefined } };
  }
  if (inbound.text === undefined) inbound.text = `[${inbound.kind}]`;
  return { inbound };
}

/** Baileys' numeric status (proto.WebMessageInfo.Status) → ours: 0 error, 1 pending, 2 server ack, 3 delivered, 4 read, 5 played. */
export function statusFromBaileys(status: number | null | undefined): ReceiptStatus | undefined {
  switch (status) {
    case 0:
      return "failed";
    case 2:
      return "sent";
    case 3:
      return "delivered";
    case 4:
    case 5:
      return "read";
  }
  return undefined;
}

/** Our own messages' progress from `messages.update`. */
export function receiptsFromUpdates(updates: WAMessageUpdate[]): Array<{ providerId: string; status: ReceiptStatus }> {
  const out: Array<{ providerId: string; status: ReceiptStatus }> = [];
  for (const u of updates) {
    if (!u.key?.id || !u.key.fromMe || ignoredJid(u.key.remoteJid)) continue;
    const status = statusFromBaileys(u.update?.status as number | null | undefined);
    if (status) out.push({ providerId: u.key.id, status });
  }
  return out;
}

/** `message-receipt.update`: a read timestamp means read, a receipt timestamp delivered. */
export function receiptsFromUserReceipts(updates: MessageUserReceiptUpdate[]): Array<{ providerId: string; status: ReceiptStatus }> {
  const out: Array<{ providerId: string; status: ReceiptStatus }> = [];
  for (const u of updates) {
    if (!u.key?.id || !u.key.fromMe || ignoredJid(u.key.remoteJid)) continue;
    if (u.receipt?.readTimestamp || u.receipt?.playedTimestamp) out.push({ providerId: u.key.id, status: "read" });
    else if (u.receipt?.receiptTimestamp) out.push({ providerId: u.key.id, status: "delivered" });
  }
  return out;
}

/** A LID ↔ phone mapping with both sides bare, or undefined when either is not what it claims. */
export function normalizeMapping(m: { lid?: string | null; pn?: string | null }): { lid: string; pn: string } | undefined {
  const lid = bare(m.lid);
  const pn = bare(m.pn);
  if (!lid || !pn || !isLidUser(lid) || !isPnUser(pn)) return undefined;
  return { lid, pn };
}
