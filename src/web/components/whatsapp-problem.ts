/**
 * What went wrong with a WhatsApp send, in the owner's words: from the send route's error (POST /api/whatsapp/send)
 * or from a stored failed message (its provider error code and message). Unknown problems keep the server's text,
 * which already names what to fix.
 */
import { ApiError } from "../api.ts";
import type { Key } from "../i18n.ts";

export interface Problem {
  /** A known problem's string key, or undefined to show `text` as it is. */
  key?: Key;
  text: string;
  /** Linking a phone / configuring a channel fixes it (show the settings link). */
  settings?: boolean;
}

export function whatsappProblem(source: unknown): Problem {
  const code = source instanceof ApiError ? source.code : undefined;
  const text = source instanceof Error ? source.message : typeof source === "object" && source ? String((source as { errorMessage?: unknown }).errorMessage ?? "") : String(source);
  const twilio = (source as { errorCode?: unknown } | null)?.errorCode ?? /\(Twilio (\d+)\)/.exec(text)?.[1];
  if (twilio === "63016") return { key: "waErr24h", text };
  if (twilio === "63003" || twilio === "63024" || /not on WhatsApp/i.test(text)) return { key: "waErrNotOnWhatsapp", text };
  if (twilio === "63032") return { key: "waErrBlocked", text };
  if (code === "rate_limited" || twilio === "63018") return { key: "waErrRateLimited", text };
  if (/has no WhatsApp number/.test(text)) return { key: "waErrNoNumber", text };
  if (/^cannot send:|is not configured|not linked|not connected/.test(text)) return { key: "waErrNoChannel", text, settings: true };
  return { text };
}
