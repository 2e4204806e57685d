/**
 * Downloads an inbound message's media (WhatsApp's CDN serves it AES-encrypted; Baileys fetches and decrypts) into
 * DATA_DIR/media at once, before the message is handed on, so the inbox never shows a link that expires.
 */
import { downloadMediaMessage, type WAMessage } from "@whiskeysockets/baileys";
import type { MediaStore } from "../media-store.ts";
import type { MediaFile } from "../protocol.ts";
import type { ILogger } from "./logger.ts";
import type { NormalizedMessage } from "./normalize.ts";

/** A download may take this long before the message is kept without its media (ms). */
export const MEDIA_TIMEOUT_MS = 60_000;

export interface MediaContext {
  /** Asks the phone to re-upload media whose CDN copy expired (the socket's updateMediaMessage). */
  reuploadRequest?: (msg: WAMessage) => Promise<WAMessage>;
  logger: ILogger;
}

export async function saveMessageMedia(
  msg: WAMessage,
  media: NonNullable<NormalizedMessage["media"]>,
  store: MediaStore,
  ctx: MediaContext,
  timeoutMs = MEDIA_TIMEOUT_MS,
): Promise<MediaFile> {
  const stream = await downloadMediaMessage(msg, "stream", {}, ctx.reuploadRequest ? { reuploadRequest: ctx.reuploadRequest, logger: ctx.logger } : undefined);
  const timer = setTimeout(() => stream.destroy(new Error(`media download took longer than ${timeoutMs} ms`)), timeoutMs);
  try {
    return await store.save({ channel: "baileys", providerId: msg.key.id!, index: 0, mime: media.mime, name: media.name }, stream);
  } finally {
    clearTimeout(timer);
  }
}
