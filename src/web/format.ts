/** Dates, times, durations and phone numbers as the reader expects them in the chosen language. */
import { lang, locale, t } from "./i18n.ts";

const asDate = (v: string | number | Date) => (v instanceof Date ? v : new Date(v));

export const dateTime = (v: string | number | Date) => asDate(v).toLocaleString(locale(), { dateStyle: "short", timeStyle: "short" });
export const dateOnly = (v: string | number | Date) => asDate(v).toLocaleDateString(locale(), { dateStyle: "medium" });
export const timeOnly = (v: string | number | Date, seconds = false) =>
  asDate(v).toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) });

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["week", 7 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** "3 hours ago" / "in 2 days" / "now". */
export function relative(v: string | number | Date, now = Date.now()): string {
  const s = (asDate(v).getTime() - now) / 1000;
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto" });
  for (const [unit, size] of UNITS) if (Math.abs(s) >= size) return rtf.format(Math.round(s / size), unit);
  return rtf.format(0, "minute");
}

/** 65 → "1:05" */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** 850 → "850 ms", 1234 → "1.2 s" (units in the chosen language). */
export function millis(ms: number | null | undefined): string {
  if (ms == null) return "—";
  return ms < 1000 ? `${Math.round(ms)} ${t("ms")}` : `${(ms / 1000).toLocaleString(locale(), { maximumFractionDigits: 1 })} ${t("sec")}`;
}

export const num = (n: number) => n.toLocaleString(locale());

/**
 * An E.164 number as people write it: Israeli numbers in the local form (`+972501234567` → `050-123-4567`),
 * others as stored. Always shown left to right (see <Phone>).
 */
export function displayPhone(e164: string | null | undefined): string {
  if (!e164) return "";
  const m = /^\+972(5\d)(\d{3})(\d{4})$/.exec(e164) ?? /^\+972([23489])(\d{3})(\d{4})$/.exec(e164) ?? /^\+972(7\d)(\d{3})(\d{4})$/.exec(e164);
  return m ? `0${m[1]}-${m[2]}-${m[3]}` : e164;
}

export const isRtl = () => lang.value === "he";
