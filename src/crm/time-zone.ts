/**
 * Wall-clock time in a named time zone (the business's), with Intl only: "today" for the tasks list, a callback
 * "tomorrow at 10" as an instant, dates in CSV files as the owner reads them.
 *
 * @example dayBounds("Asia/Jerusalem", new Date()) // { start, end } of the business's today, as instants
 */

export interface LocalParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** What a clock on the wall in `tz` shows at `at`. */
export function localParts(tz: string, at: Date): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
  };
}

/** The instant at which the wall clock in `tz` shows this date and time (day overflow is carried, e.g. day 32). */
export function zonedTime(tz: string, year: number, month: number, day: number, hour = 0, minute = 0): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // the zone's offset at a guess, then once more at the corrected instant (a DST change between the two)
  let at = wall - offsetMs(tz, new Date(wall));
  at = wall - offsetMs(tz, new Date(at));
  return new Date(at);
}

/** Offset of `tz` from UTC at `at`, in ms (Asia/Jerusalem in summer: +3 h). */
function offsetMs(tz: string, at: Date): number {
  const p = localParts(tz, at);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The local day that contains `at` in `tz`, as [start, end) instants. */
export function dayBounds(tz: string, at: Date): { start: Date; end: Date } {
  const p = localParts(tz, at);
  return { start: zonedTime(tz, p.year, p.month, p.day), end: zonedTime(tz, p.year, p.month, p.day + 1) };
}

/** `YYYY-MM-DD HH:mm` on the wall in `tz` — a form spreadsheets read as a date and time. */
export function formatLocal(tz: string, at: Date): string {
  const p = localParts(tz, at);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}
