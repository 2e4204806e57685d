/**
 * When a caller asked to be called back, as a time: the dialog keeps their words ("מחר בעשר", "tomorrow at 3pm",
 * "בעוד שעתיים", "ASAP") and this reads the common Hebrew and English forms in the business's time zone, so the
 * callback task is due then and shows up in "today" and "overdue". Anything it cannot read confidently gives
 * undefined: the task keeps the words and has no due time, rather than a wrong one.
 *
 * An hour without a part of the day is read as business hours: 1–7 → afternoon (13–19), 8–12 as said.
 * A day without an hour is 09:00; an hour without a day is today, or tomorrow once it has passed.
 */
import { localParts, zonedTime } from "./time-zone.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const HE_NUMBERS: Array<[string, number]> = [
  ["אחת עשרה", 11],
  ["אחד עשרה", 11],
  ["שתים עשרה", 12],
  ["שתיים עשרה", 12],
  ["אחת", 1],
  ["שתיים", 2],
  ["שתים", 2],
  ["שלוש", 3],
  ["ארבע", 4],
  ["חמש", 5],
  ["שש", 6],
  ["שבע", 7],
  ["שמונה", 8],
  ["תשע", 9],
  ["עשר", 10],
];
const EN_NUMBERS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, a: 1, an: 1 };
const EN_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const HE_DAYS = ["ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי"];

/** Hebrew has no \b: a word ends at a space, punctuation or the end. */
const END = `(?=$|[\\s.,!?;:'"׳״)-])`;
const START = `(?:^|[\\s(])`;

type Part = "morning" | "noon" | "afternoon" | "evening";
const PART_HOUR: Record<Part, number> = { morning: 9, noon: 12, afternoon: 15, evening: 18 };

export function parseDueText(input: string, now: Date, tz: string): Date | undefined {
  const s = ` ${input.toLowerCase().replace(/\s+/g, " ").trim()} `;
  if (!s.trim()) return undefined;

  if (new RegExp(`${START}(asap|as soon as possible|right away|right now|now|immediately|עכשיו|מיד|מייד|בהקדם|בהקדם האפשרי|כמה שיותר מהר|כמה שיותר מוקדם)${END}`).test(s)) return now;

  const relative = readRelative(s);
  if (relative !== undefined) return new Date(now.getTime() + relative);

  const today = localParts(tz, now);
  let dayOffset: number | undefined;
  if (new RegExp(`${START}(day after tomorrow|מחרתיים)${END}`).test(s)) dayOffset = 2;
  else if (new RegExp(`${START}(tomorrow|מחר)${END}`).test(s)) dayOffset = 1;
  else if (new RegExp(`${START}(today|tonight|this (morning|afternoon|evening)|היום|הערב|הבוקר)${END}`).test(s)) dayOffset = 0;
  else {
    const weekday = readWeekday(s);
    if (weekday !== undefined) dayOffset = (weekday - today.weekday + 7) % 7 || 7;
  }

  const part = readPart(s);
  const time = readTime(s, part);
  if (dayOffset === undefined && !time && !part) return undefined;

  const hour = time?.hour ?? PART_HOUR[part ?? "morning"];
  const minute = time?.minute ?? 0;
  if (dayOffset === undefined) {
    const at = zonedTime(tz, today.year, today.month, today.day, hour, minute);
    return at.getTime() > now.getTime() ? at : zonedTime(tz, today.year, today.month, today.day + 1, hour, minute);
  }
  return zonedTime(tz, today.year, today.month, today.day + dayOffset, hour, minute);
}

/** "in 2 hours", "in half an hour", "בעוד שעתיים", "בעוד 20 דקות" → milliseconds from now. */
function readRelative(s: string): number | undefined {
  const en = s.match(/ in (half an? hour|an? hour and a half|(\d+|an?|one|two|three|four|five|six|ten|twenty|thirty) (minutes?|mins?|hours?|days?))(?= |$)/);
  if (en) {
    if (en[1]!.startsWith("half")) return 30 * MINUTE;
    if (en[1]!.includes("and a half")) return 90 * MINUTE;
    const n = /^\d+$/.test(en[2]!) ? Number(en[2]) : (EN_NUMBERS[en[2]!] ?? { twenty: 20, thirty: 30 }[en[2]!] ?? NaN);
    const unit = en[3]!.startsWith("m") ? MINUTE : en[3]!.startsWith("h") ? HOUR : 24 * HOUR;
    return Number.isFinite(n) ? n * unit : undefined;
  }
  const he = s.match(new RegExp(`${START}בעוד (חצי שעה|רבע שעה|שעה וחצי|שעה|שעתיים|יומיים|יום|(\\d+) (דקות|דק'|שעות|ימים))${END}`));
  if (!he) return undefined;
  const fixed: Record<string, number> = { "חצי שעה": 30 * MINUTE, "רבע שעה": 15 * MINUTE, "שעה וחצי": 90 * MINUTE, שעה: HOUR, שעתיים: 2 * HOUR, יום: 24 * HOUR, יומיים: 48 * HOUR };
  if (fixed[he[1]!] !== undefined) return fixed[he[1]!];
  const unit = he[3]!.startsWith("ד") ? MINUTE : he[3] === "שעות" ? HOUR : 24 * HOUR;
  return Number(he[2]) * unit;
}

function readWeekday(s: string): number | undefined {
  for (const [i, day] of EN_DAYS.entries()) if (new RegExp(`${START}(on |next )?${day}${END}`).test(s)) return i;
  if (new RegExp(`${START}(ב|ב-)?שבת${END}`).test(s)) return 6;
  // "ביום שני", "יום שני", or colloquially "בשני" (the bare word is also a number, so only with ב)
  for (const [i, day] of HE_DAYS.entries()) if (new RegExp(`${START}((ב|ב-)?יום |ב-?)${day}${END}`).test(s)) return i;
  return undefined;
}

function readPart(s: string): Part | undefined {
  if (/\d ?(am|a\.m\.)(?=$|[\s.,!?])/.test(s) || new RegExp(`${START}(בבוקר|הבוקר|morning)${END}`).test(s)) return "morning";
  if (/\d ?(pm|p\.m\.)(?=$|[\s.,!?])/.test(s)) return "evening";
  if (new RegExp(`${START}(אחרי הצהריים|אחר הצהריים|אחה"צ|אחה״צ|afternoon)${END}`).test(s)) return "afternoon";
  if (new RegExp(`${START}(בצהריים|בצהרים|צהריים|noon|midday)${END}`).test(s)) return "noon";
  if (new RegExp(`${START}(בערב|הערב|בלילה|evening|tonight)${END}`).test(s)) return "evening";
  return undefined;
}

/** The hour and minute said, resolved to 0–23 with the part of the day (or business hours when none was said). */
function readTime(s: string, part: Part | undefined): { hour: number; minute: number } | undefined {
  let hour: number | undefined;
  let minute = 0;
  const digits =
    s.match(/(\d{1,2}):(\d{2})/) ??
    s.match(new RegExp(`${START}(?:at |around |בשעה |ב-?|ב־|בסביבות |סביבות )(\\d{1,2})${END}`)) ??
    s.match(/(?:^|\s)(\d{1,2}) ?(?:am|pm|a\.m\.|p\.m\.|o'clock)(?=$|[\s.,!?])/);
  if (digits) {
    hour = Number(digits[1]);
    if (digits[2]) minute = Number(digits[2]);
  } else {
    const words = HE_NUMBERS.map(([w]) => w).join("|");
    const he = s.match(new RegExp(`${START}(?:בשעה |ב-?|ב־|בסביבות |סביבות )(${words})( וחצי| ורבע| ועשרה| ועשרים)?${END}`));
    if (he) {
      hour = HE_NUMBERS.find(([w]) => w === he[1])![1];
      minute = { " וחצי": 30, " ורבע": 15, " ועשרה": 10, " ועשרים": 20 }[he[2] ?? ""] ?? 0;
    } else {
      const en = s.match(/(?:^|\s)at (one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)( thirty| fifteen| forty-five)?(?= |$)/);
      if (!en) return undefined;
      hour = EN_NUMBERS[en[1]!]!;
      minute = { " thirty": 30, " fifteen": 15, " forty-five": 45 }[en[2] ?? ""] ?? 0;
    }
  }
  if (hour > 23 || minute > 59) return undefined;
  if (hour <= 12) {
    if (part === "morning") hour = hour === 12 ? 0 : hour;
    else if (part === "afternoon" || part === "evening") hour = hour === 12 ? 12 : hour + 12;
    else if (part === "noon") hour = hour === 12 || hour >= 8 ? hour : hour + 12;
    else if (hour >= 1 && hour <= 7) hour += 12;
  }
  return { hour, minute };
}
