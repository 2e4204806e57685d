/**
 * The media-stream token: an HMAC-SHA256 (JWT_SECRET) of the CallSid and an expiry 2 minutes ahead, handed to
 * Twilio as a <Parameter> of the <Stream> and checked on `start`, so only streams for calls this server answered
 * reach the providers. Synchronous (node:crypto) so nothing waits between `start` and the greeting.
 * Format: `<expiry ms>.<base64url mac>`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const STREAM_TOKEN_TTL_MS = 2 * 60 * 1000;

const mac = (secret: string, callSid: string, expiry: number) =>
  createHmac("sha256", secret).update(`stream:${callSid}:${expiry}`).digest("base64url");

export function streamToken(secret: string, callSid: string, now = Date.now()): string {
  const expiry = now + STREAM_TOKEN_TTL_MS;
  return `${expiry}.${mac(secret, callSid, expiry)}`;
}

export function verifyStreamToken(secret: string, callSid: string, token: string | undefined, now = Date.now()): boolean {
  const [expiryText, given] = (token ?? "").split(".");
  const expiry = Number(expiryText);
  if (!given || !Number.isFinite(expiry) || expiry < now) return false;
  const expected = Buffer.from(mac(secret, callSid, expiry));
  const actual = Buffer.from(given);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
