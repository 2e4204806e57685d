/**
 * Twilio's WhatsApp over REST: send (`POST /2010-04-01/Accounts/{Sid}/Messages.json` — free text within 24 h of the
 * customer's last message, else an approved template by ContentSid), fetch an inbound message's media (basic auth,
 * only from Twilio's own API host), and Twilio's error codes in words an owner understands.
 * Plain fetch against TWILIO_API_URL (a stand-in in tests).
 */
import { AppError, type ErrorCode } from "../errors.ts";

/** How long one media request (each redirect hop) may take to answer, in ms. */
export const MEDIA_HOP_TIMEOUT_MS = 30_000;

export interface TwilioWhatsappOptions {
  apiUrl: string;
  accountSid?: string;
  authToken?: string;
  /** `whatsapp:+E164` */
  from?: string;
}

/** Twilio error code → what went wrong, for the owner, and how the API reports it. */
const ERRORS: Record<string, { code: ErrorCode; message: string; field?: string }> = {
  "63016": {
    code: "conflict",
    message:
      "WhatsApp allows free-form messages only within 24 hours of the customer's last message; outside that window send an approved template (contentSid) or wait for the customer to write (Twilio 63016)",
    field: "text",
  },
  "21211": { code: "validation", message: "the number is not a valid phone number (Twilio 21211)", field: "to" },
  "21614": { code: "validation", message: "the number cannot receive this message (Twilio 21614)", field: "to" },
  "63003": { code: "validation", message: "the number is not on WhatsApp (Twilio 63003)", field: "to" },
  "63024": { code: "validation", message: "the number cannot receive WhatsApp messages (Twilio 63024)", field: "to" },
  "21606": { code: "unavailable", message: "TWILIO_WHATSAPP_FROM is not a WhatsApp sender of this Twilio account (Twilio 21606)" },
  "63007": { code: "unavailable", message: "TWILIO_WHATSAPP_FROM is not a WhatsApp sender of this Twilio account (Twilio 63007)" },
  "20003": { code: "unavailable", message: "Twilio refused TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN (Twilio 20003)" },
  "63018": { code: "rate_limited", message: "WhatsApp rate limit for this sender reached; try again later (Twilio 63018)" },
  "63032": { code: "validation", message: "the customer blocked or opted out of messages from this business (Twilio 63032)", field: "to" },
  "21656": { code: "validation", message: "contentVariables do not match the template (Twilio 21656)", field: "contentVariables" },
  "21655": { code: "validation", message: "contentSid is not an approved template of this account (Twilio 21655)", field: "contentSid" },
};

/** The owner-facing text for a Twilio error code (also used for failed status callbacks). */
export function twilioErrorMessage(code: string | number | undefined, fallback?: string): string {
  const known = code !== undefined ? ERRORS[String(code)] : undefined;
  if (known) return known.message;
  return `${fallback || "Twilio could not deliver the message"}${code ? ` (Twilio ${code})` : ""}`;
}

export function twilioError(code: string | number | undefined, fallback?: string): AppError {
  const known = code !== undefined ? ERRORS[String(code)] : undefined;
  if (known) return new AppError(known.code, known.message, known.field);
  return new AppError("unavailable", twilioErrorMessage(code, fallback ? `Twilio refused the message: ${fallback}` : undefined));
}

export interface TwilioSendRequest {
  /** E.164 */
  to: string;
  body?: string;
  contentSid?: string;
  contentVariables?: Record<string, string>;
  statusCallback?: string;
}

export class TwilioWhatsapp {
  constructor(private o: TwilioWhatsappOptions) {}

  /** Account SID, auth token and a WhatsApp sender are all set. */
  get canSend(): boolean {
    return Boolean(this.o.accountSid && this.o.authToken && this.o.from);
  }

  private auth(): Record<string, string> {
    if (!this.o.accountSid || !this.o.authToken) return {};
    return { authorization: `Basic ${Buffer.from(`${this.o.accountSid}:${this.o.authToken}`).toString("base64")}` };
  }

  /** Sends; resolves with Twilio's MessageSid, or throws an AppError saying what to fix. */
  async send(r: TwilioSendRequest): Promise<{ sid: string; status: string }> {
    if (!this.canSend) throw new AppError("unavailable", "Twilio WhatsApp is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM");
    const form: Record<string, string> = { From: this.o.from!, To: `whatsapp:${r.to}` };
    if (r.contentSid) {
      form.ContentSid = r.contentSid;
      if (r.contentVariables) form.ContentVariables = JSON.stringify(r.contentVariables);
    } else form.Body = r.body ?? "";
    if (r.statusCallback) form.StatusCallback = r.statusCallback;
    let res: Response;
    try {
      res = await fetch(`${this.o.apiUrl}/2010-04-01/Accounts/${this.o.accountSid}/Messages.json`, {
        method: "POST",
        headers: { ...this.auth(), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new AppError("unavailable", `Twilio could not be reached: ${err instanceof Error ? err.message : String(err)}`);
    }
    const body = (await res.json().catch(() => ({}))) as { sid?: string; status?: string; code?: number; message?: string; error_code?: number | null; error_message?: string | null };
    if (!res.ok || !body.sid) throw twilioError(body.code ?? body.error_code ?? undefined, body.message ?? body.error_message ?? `HTTP ${res.status}`);
    if (body.status === "failed" || body.status === "undelivered") throw twilioError(body.error_code ?? undefined, body.error_message ?? body.status);
    return { sid: body.sid, status: body.status ?? "queued" };
  }

  /**
   * An inbound message's media body. Only URLs on Twilio's API host are fetched (with the account's basic auth);
   * a redirect (Twilio hands media to its CDN) is followed without the credentials. Each hop must answer within
   * MEDIA_HOP_TIMEOUT_MS; the body then streams until `signal` (the caller's deadline) aborts it.
   */
  async media(url: string, signal?: AbortSignal): Promise<Response> {
    const api = new URL(this.o.apiUrl);
    let target = new URL(url);
    if (target.origin !== api.origin || !target.pathname.startsWith("/2010-04-01/Accounts/")) throw new Error(`media URL ${target.origin}${target.pathname.slice(0, 40)}… is not on Twilio's API host`);
    let headers = this.auth();
    for (let hop = 0; hop < 4; hop++) {
      const answered = new AbortController();
      const timer = setTimeout(() => answered.abort(new Error(`no answer within ${MEDIA_HOP_TIMEOUT_MS / 1000} s`)), MEDIA_HOP_TIMEOUT_MS);
      let res: Response;
      try {
        res = await fetch(target, { headers, redirect: "manual", signal: signal ? AbortSignal.any([answered.signal, signal]) : answered.signal });
      } finally {
        clearTimeout(timer);
      }
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, target);
        if (api.protocol === "https:" && next.protocol !== "https:") throw new Error("media redirect from https to a plain http URL");
        if (next.origin !== api.origin) headers = {};
        target = next;
        continue;
      }
      if (!res.ok || !res.body) throw new Error(`media fetch answered ${res.status}`);
      return res;
    }
    throw new Error("too many media redirects");
  }
}
