/**
 * Tranzila as AgentLocator uses it: a handshake token (`thtk`) that locks the amount, the hosted payment page link
 * carrying it with our reference and notify URL, and the transaction report used to check an (unsigned) notify.
 *
 * API authentication: four headers on every call — `X-tranzila-api-app-key`, `X-tranzila-api-request-time`,
 * `X-tranzila-api-nonce` (80 hex characters = 40 random bytes) and `X-tranzila-api-access-token` = hex
 * HMAC-SHA256(key = secret + time + nonce, message = app key). Tranzila's own pages disagree on the time's unit
 * (the reports page and both public libraries say Unix seconds, the handshake page says milliseconds): seconds are
 * sent first; if Tranzila refuses the credentials, the call is repeated once with milliseconds and whichever unit
 * worked is kept.
 *
 * Hosts: with TRANZILA_API_URL unset, API calls go to https://api.tranzila.com and reports to
 * https://report.tranzila.com; with it set (sandbox or a stand-in), every call goes to that base with Tranzila's
 * own paths appended (`/v2/handshake/create`, `/v1/transaction`). The payment page is always Tranzila's
 * https://direct.tranzila.com/{terminal}/iframenew.php.
 */
import { createHmac, randomBytes } from "node:crypto";
import { ProviderError } from "../providers/errors.ts";
import { toDecimal, type Currency } from "./money.ts";
import { PROVIDER_TIMEOUT_MS, providerFetch, reason } from "./provider-fetch.ts";

export interface TranzilaConfig {
  terminal: string;
  appKey: string;
  secret: string;
  apiUrl: string;
}

export const TRANZILA_API = "https://api.tranzila.com";
export const TRANZILA_REPORTS = "https://report.tranzila.com";
export const TRANZILA_PAGES = "https://direct.tranzila.com";
/** The name of our own field on the payment page (echoed in the notify) and in the handshake's request_params. */
export const REFERENCE_FIELD = "al_ref";
/** Tranzila's numeric currency codes on the payment page and in reports. */
export const TRANZILA_CURRENCY: Record<Currency, string> = { ILS: "1", USD: "2" };

export type TimeUnit = "s" | "ms";

/** The four signed headers for one request. Exported for the stand-in's tests of the scheme. */
export function tranzilaHeaders(appKey: string, secret: string, unit: TimeUnit, nowMs = Date.now()): Record<string, string> {
  const time = String(unit === "s" ? Math.floor(nowMs / 1000) : nowMs);
  const nonce = randomBytes(40).toString("hex");
  const token = createHmac("sha256", secret + time + nonce)
    .update(appKey)
    .digest("hex");
  return {
    "X-tranzila-api-app-key": appKey,
    "X-tranzila-api-request-time": time,
    "X-tranzila-api-nonce": nonce,
    "X-tranzila-api-access-token": token,
  };
}

/** A Tranzila amount for the page and the handshake: major units, no trailing zeros ("150", "12.5"). */
export function tranzilaSum(amount: number, currency: Currency): string {
  return String(Number(toDecimal(amount, currency)));
}

export interface PageInput {
  thtk: string;
  reference: string;
  amount: number;
  currency: Currency;
  description: string;
  notifyUrl: string;
  successUrl: string;
  failUrl: string;
  language: "he-IL" | "en-US";
  contactName?: string;
}

export class TranzilaClient {
  private unit: TimeUnit = "s";

  constructor(
    readonly config: TranzilaConfig,
    private opts: { timeoutMs?: number } = {},
  ) {}

  private base(kind: "api" | "reports"): string {
    if (this.config.apiUrl.replace(/\/+$/, "") === TRANZILA_API) return kind === "api" ? TRANZILA_API : TRANZILA_REPORTS;
    return this.config.apiUrl;
  }

  /** POSTs JSON with the signed headers; refused credentials → once more with the other request-time unit. */
  private async call(kind: "api" | "reports", path: string, body: unknown) {
    const send = (unit: TimeUnit) =>
      providerFetch(
        "tranzila",
        `${this.base(kind)}${path}`,
        {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json", ...tranzilaHeaders(this.config.appKey, this.config.secret, unit) },
          body: JSON.stringify(body),
        },
        this.opts.timeoutMs ?? PROVIDER_TIMEOUT_MS,
      );
    const unit = this.unit;
    try {
      return await send(unit);
    } catch (err) {
      if (!(err instanceof ProviderError && err.kind === "auth")) throw err;
      const other: TimeUnit = unit === "s" ? "ms" : "s";
      const res = await send(other);
      this.unit = other;
      return res;
    }
  }

  /**
   * A handshake token for this amount. The JSON answer (`{error_code: 0, thtk}`) is what the v2 API documents;
   * the v1 form (`thtk=…` as text) is accepted too. `request_params` carries our reference so the transaction
   * report can show it.
   */
  async handshake(amount: number, currency: Currency, reference: string): Promise<string> {
    const res = await this.call("api", "/v2/handshake/create", {
      terminal_name: this.config.terminal,
      sum: Number(tranzilaSum(amount, currency)),
      request_params: { [REFERENCE_FIELD]: reference },
    });
    const json = (res.json && typeof res.json === "object" ? res.json : {}) as { error_code?: unknown; thtk?: unknown; message?: unknown };
    const thtk = typeof json.thtk === "string" ? json.thtk : /(?:^|&)thtk=([^&\s]+)/.exec(res.text)?.[1];
    const code = json.error_code === undefined ? 0 : Number(json.error_code);
    if (!res.ok || code !== 0 || !thtk) throw new ProviderError("tranzila", "bad_request", false, `handshake answered ${res.status}${reason(res.json, res.text)}`);
    return thtk;
  }

  /** The hosted payment page for a handshake: a regular charge (tranmode A, cred_type 1) of exactly this sum. */
  pageUrl(input: PageInput): string {
    const params = new URLSearchParams({
      sum: tranzilaSum(input.amount, input.currency),
      currency: TRANZILA_CURRENCY[input.currency],
      tranmode: "A",
      cred_type: "1",
      thtk: input.thtk,
      lang: input.language === "he-IL" ? "il" : "en",
      pdesc: input.description,
      notify_url_address: input.notifyUrl,
      success_url_address: input.successUrl,
      fail_url_address: input.failUrl,
      [REFERENCE_FIELD]: input.reference,
    });
    if (input.contactName) params.set("contact", input.contactName);
    return `${TRANZILA_PAGES}/${encodeURIComponent(this.config.terminal)}/iframenew.php?${params}`;
  }

  /**
   * The terminal's own record of a transaction (the Reports API), or undefined when Tranzila has no such index.
   * Whether a notify's `index` is the report's `transaction_index` is not documented anywhere we could find; the
   * row is accepted only when its own `index` equals the one asked for.
   */
  async transaction(index: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.call("reports", "/v1/transaction", { terminal_name: this.config.terminal, transaction_index: Number(index) });
    if (!res.ok) throw new ProviderError("tranzila", "bad_request", false, `transaction report answered ${res.status}${reason(res.json, res.text)}`);
    const rows = (res.json as { transactions?: unknown } | undefined)?.transactions;
    if (!Array.isArray(rows)) {
      const code = (res.json as { error_code?: unknown } | undefined)?.error_code;
      if (code !== undefined && Number(code) !== 0) return undefined;
      throw new ProviderError("tranzila", "bad_request", false, `transaction report came back without a transactions list${reason(res.json, res.text)}`);
    }
    return rows.find(
      (r): r is Record<string, unknown> => !!r && typeof r === "object" && String((r as Record<string, unknown>).index ?? (r as Record<string, unknown>).transaction_index) === index,
    );
  }
}
