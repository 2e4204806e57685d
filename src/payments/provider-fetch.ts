/**
 * One HTTP call to a payment provider with a deadline, turned into a typed result: the parsed body on 2xx, a
 * `ProviderError` on a timeout, a refused connection, a 5xx, or rejected credentials. 4xx answers other than
 * 401/403 come back as values (`ok: false`) because their bodies carry the provider's reason (PayPal's
 * `ORDER_NOT_APPROVED`, …) and the caller decides what that means.
 */
import { ProviderError } from "../providers/errors.ts";

export const PROVIDER_TIMEOUT_MS = 15_000;

export type ProviderResponse = { ok: true; status: number; text: string; json: unknown } | { ok: false; status: number; text: string; json: unknown };

export async function providerFetch(provider: string, url: string, init: RequestInit, timeoutMs = PROVIDER_TIMEOUT_MS): Promise<ProviderResponse> {
  const what = `${init.method ?? "GET"} ${new URL(url).pathname}`;
  let res: Response;
  let text: string;
  try {
    // the deadline covers the whole exchange: headers and body (a server that sends headers then stalls is a timeout too)
    const signal = AbortSignal.timeout(timeoutMs);
    res = await fetch(url, { ...init, signal, redirect: "manual" });
    text = await res.text();
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    if (name === "TimeoutError" || name === "AbortError") throw new ProviderError(provider, "timeout", true, `${what} did not answer within ${timeoutMs} ms`);
    throw new ProviderError(provider, "unavailable", true, `${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.status >= 500) throw new ProviderError(provider, "unavailable", true, `${what} answered ${res.status}${reason(json, text)}`);
  if (res.status === 401 || res.status === 403) throw new ProviderError(provider, "auth", false, `${what} refused our credentials (${res.status})${reason(json, text)}`);
  if (res.status === 429) throw new ProviderError(provider, "limit", true, `${what} is rate limited (429)`);
  if (res.status >= 300) return { ok: false, status: res.status, text, json };
  return { ok: true, status: res.status, text, json };
}

/** A short reason from a provider's error body (PayPal `message`/`error_description`, Tranzila `message`). */
export function reason(json: unknown, text: string): string {
  if (json && typeof json === "object") {
    const o = json as Record<string, unknown>;
    const detail = Array.isArray(o.details) ? (o.details[0] as Record<string, unknown> | undefined) : undefined;
    const parts = [o.name, detail?.issue, o.message ?? o.error_description ?? o.error].filter((v) => typeof v === "string" && v);
    if (parts.length) return `: ${parts.join(" ").slice(0, 200)}`;
  }
  const t = text.trim();
  return t ? `: ${t.slice(0, 120)}` : "";
}
