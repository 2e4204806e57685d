/** Reading a callback time from the caller's words, in the business's time zone. */
import { describe, expect, test } from "bun:test";
import { parseDueText } from "../../../src/crm/due-time.ts";
import { dayBounds, formatLocal, zonedTime } from "../../../src/crm/time-zone.ts";

const TZ = "Asia/Jerusalem";
// Tuesday 4 March 2025, 14:20 in Israel (UTC+2)
const NOW = new Date("2025-03-04T12:20:00Z");
const read = (text: string, now = NOW) => {
  const d = parseDueText(text, now, TZ);
  return d && formatLocal(TZ, d);
};

describe("parseDueText", () => {
  const cases: Array<[string, string | undefined]> = [
    ["מחר בעשר", "2025-03-05 10:00"],
    ["מחר ב-10", "2025-03-05 10:00"],
    ["מחר בשעה 16:30", "2025-03-05 16:30"],
    ["מחר בבוקר", "2025-03-05 09:00"],
    ["מחר בשלוש וחצי", "2025-03-05 15:30"],
    ["מחר בשמונה בערב", "2025-03-05 20:00"],
    ["מחרתיים", "2025-03-06 09:00"],
    ["היום אחרי הצהריים", "2025-03-04 15:00"],
    ["הערב", "2025-03-04 18:00"],
    ["ביום חמישי בצהריים", "2025-03-06 12:00"],
    ["בשני", "2025-03-10 09:00"],
    ["ביום שלישי", "2025-03-11 09:00"],
    ["בעוד שעתיים", "2025-03-04 16:20"],
    ["בעוד חצי שעה", "2025-03-04 14:50"],
    ["בעוד 20 דקות", "2025-03-04 14:40"],
    ["עכשיו", "2025-03-04 14:20"],
    ["בהקדם", "2025-03-04 14:20"],
    ["בחמש", "2025-03-04 17:00"],
    ["בשתיים", "2025-03-05 14:00"], // 14:00 has passed today
    ["tomorrow at 10am", "2025-03-05 10:00"],
    ["tomorrow at 3pm", "2025-03-05 15:00"],
    ["tomorrow at 10:30 pm", "2025-03-05 22:30"],
    ["on Friday morning", "2025-03-07 09:00"],
    ["next monday at 4", "2025-03-10 16:00"],
    ["this evening", "2025-03-04 18:00"],
    ["in 2 hours", "2025-03-04 16:20"],
    ["in half an hour", "2025-03-04 14:50"],
    ["ASAP", "2025-03-04 14:20"],
    ["at noon", "2025-03-05 12:00"],
    ["I am free whenever", undefined],
    ["כשנוח לכם", undefined],
    ["", undefined],
    ["בשבוע הבא", undefined],
  ];
  for (const [text, expected] of cases) test(`${JSON.stringify(text)} → ${expected ?? "no time"}`, () => expect(read(text)).toBe(expected));

  test("across the change to summer time (Israel, Friday 28 March 2025)", () => {
    const thursday = new Date("2025-03-27T10:00:00Z");
    expect(parseDueText("מחר בעשר", thursday, TZ)?.toISOString()).toBe("2025-03-28T07:00:00.000Z");
  });
});

describe("time zone helpers", () => {
  test("a local day's bounds, in winter and in summer", () => {
    expect(dayBounds(TZ, NOW)).toEqual({ start: new Date("2025-03-03T22:00:00Z"), end: new Date("2025-03-04T22:00:00Z") });
    expect(dayBounds(TZ, new Date("2025-07-01T23:30:00Z"))).toEqual({ start: new Date("2025-07-01T21:00:00Z"), end: new Date("2025-07-02T21:00:00Z") });
    expect(dayBounds("UTC", NOW)).toEqual({ start: new Date("2025-03-04T00:00:00Z"), end: new Date("2025-03-05T00:00:00Z") });
  });

  test("a wall-clock time to an instant; day overflow carries into the next month", () => {
    expect(zonedTime(TZ, 2025, 3, 32, 9, 0).toISOString()).toBe("2025-04-01T06:00:00.000Z");
    expect(zonedTime("America/New_York", 2025, 1, 15, 9, 30).toISOString()).toBe("2025-01-15T14:30:00.000Z");
  });
});
