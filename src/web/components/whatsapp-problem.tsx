/**
 * What went wrong with a WhatsApp send, in the owner's words: from the send route's error (POST /api/whatsapp/send)
 * or from a stored failed message (its provider error code and message). Unknown problems keep the server's text,
 * which already names what to fix.
 */
import { ApiError } from "../api.ts";
import { t, type Key } from "../i18n.ts";

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
  if (/known on WhatsApp only by the id/.test(text)) return { key: "waErrHiddenNumber", text };
  if (/has no WhatsApp number/.test(text)) return { key: "waErrNoNumber", text };
  if (/^cannot send:|is not configured|not linked|not connected/.test(text)) return { key: "waErrNoChannel", text, settings: true };
  return { text };
}

/** The problem as the owner reads it (translated when known). */
export const problemText = (source: unknown): string => {
  const p = whatsappProblem(source);
  return p.key ? t(p.key) : p.text;
};

/** A failed send said in words, with the way to the WhatsApp settings when setting up a channel fixes it. */
export function WhatsappProblemAlert(props: { source: unknown; class?: string }) {
  const p = whatsappProblem(props.source);
  return (
    <p role="alert" class={`rounded bg-red-50 px-3 py-2 text-sm text-red-800 ${props.class ?? ""}`}>
      {p.key ? t(p.key) : p.text}{" "}
      {p.settings && (
        <a class="underline" href="/app/admin/settings/whatsapp">
          {t("waSettingsLink")}
        </a>
      )}
    </p>
  );
}
