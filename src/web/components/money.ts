/**
 * Amounts in the admin app: typed as a decimal ("150", "99.90", "1,250.5", "99,90"), sent to the API as integer
 * minor units (agorot, cents) — computed from the digits, never through a float — and shown in the user's locale.
 */
import { lang } from "../i18n.ts";

export const CURRENCIES = ["ILS", "USD"] as const;
export type Currency = (typeof CURRENCIES)[number];
/** The API's ceiling: 99,999,999 minor units. */
export const MAX_MINOR = 99_999_999;

/** "1,250.50" → 125050; undefined unless a positive amount with at most two decimals, at most MAX_MINOR. */
export function parseAmount(text: string): number | undefined {
  let s = text.trim().replace(/[\s\u00a0₪$]/g, "");
  // one comma followed by one or two digits at the end is a decimal comma ("99,90"); other commas group thousands
  if (/^\d+,\d{1,2}$/.test(s)) s = s.replace(",", ".");
  else if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s)) s = s.replace(/,/g, "");
  const m = /^(\d{1,7})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return undefined;
  const minor = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return minor >= 1 && minor <= MAX_MINOR ? minor : undefined;
}

export function formatMoney(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(lang.value === "he" ? "he-IL" : "en-US", { style: "currency", currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}
