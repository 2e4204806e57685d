/** The agent's own lines come from assets/prompts/{he,en}.json: filled in on the call, checked when loaded. */
import { describe, expect, test } from "bun:test";
import en from "../../../assets/prompts/en.json";
import he from "../../../assets/prompts/he.json";
import { linesFor, linesFrom } from "../../../src/dialog/lines.ts";

describe("the prompts files", () => {
  test("Hebrew: placeholders filled, the business name optional, a name only when known", () => {
    const l = linesFor("he-IL");
    expect(l.greeting("אינסטלציה כהן")).toBe("שלום, הגעתם לאינסטלציה כהן. אני העוזרת הדיגיטלית. במה אפשר לעזור?");
    expect(l.greeting("")).toBe("שלום, אני העוזרת הדיגיטלית. במה אפשר לעזור?");
    expect(l.askAreaBudget("דנה")).toEqual(["נעים מאוד, דנה. באיזה אזור מדובר, ומה התקציב בערך?", "באיזה אזור, ובאיזה תקציב?"]);
    expect(l.askAreaBudget("")[0]).toBe("נעים מאוד. באיזה אזור מדובר, ומה התקציב בערך?");
    expect(l.confirm("תיקון נזילה", "מחר בעשר")).toBe("מצוין. רשמתי: תיקון נזילה. נחזור אליך מחר בעשר. תודה ויום נעים!");
    expect(l.voicemailGreeting("")).toBe("שלום, הגעתם להעסק. אנא השאירו הודעה אחרי הצפצוף, ונחזור אליכם.");
    expect(l.holding).toBe("רק רגע, אני בודקת.");
  });

  test("English: the same lines", () => {
    const l = linesFor("en-US");
    expect(l.greeting("Cohen Plumbing")).toBe("Hello, you've reached Cohen Plumbing. I'm the virtual assistant. How can I help?");
    expect(l.askAreaBudget("Dana")[0]).toBe("Nice to meet you, Dana. Which area is it in, and roughly what budget?");
    expect(l.confirm("a leak", "tomorrow at 10")).toBe("Great. I've noted: a leak. We'll call you back tomorrow at 10. Thank you, have a nice day!");
    expect(l.voicemailGreeting("")).toBe("Hello, you've reached us. Please leave a message after the beep and we'll call you back.");
  });

  test("both files have the same lines, with as many alternatives", () => {
    const shape = (p: Record<string, unknown>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? v.length : typeof v]));
    expect(shape(en)).toEqual(shape(he));
  });

  test.each([
    ["a line missing", (p: Record<string, unknown>) => delete p.goodbye, "x.json: goodbye"],
    ["an empty line", (p: Record<string, unknown>) => (p.holding = " "), "x.json: holding"],
    ["a placeholder missing", (p: Record<string, unknown>) => (p.confirm = "נחזור אליך {when}"), "x.json: confirm must contain {need} and {when}"],
    ["no alternatives", (p: Record<string, unknown>) => (p.notHeard = []), "x.json: notHeard"],
  ])("a broken prompts file is refused when loaded, naming the line: %s", (_name, breakIt, message) => {
    const copy: Record<string, unknown> = structuredClone(he);
    breakIt(copy);
    expect(() => linesFrom(copy, "x.json")).toThrow(message);
  });
});
