import { expect, test } from "bun:test";
import { linesFor } from "../../../src/dialog/lines.ts";
import { ScriptedDialog } from "../../../src/dialog/script.ts";
import type { LeadInput } from "../../../src/dialog/tools.ts";

function host(canTransfer = false) {
  const leads: LeadInput[] = [];
  const callbacks: Array<{ when: string }> = [];
  return { leads, callbacks, canTransfer, saveLead: (l: LeadInput) => leads.push(l), scheduleCallback: (c: { when: string }) => callbacks.push(c) };
}

test("English lead capture: need → name → area/budget → callback → confirm and hang up", () => {
  const h = host();
  const d = new ScriptedDialog(linesFor("en-US"), h);
  expect(d.respond("I need a plumber").sentences).toEqual(["Thank you. What's your name?"]);
  expect(d.respond("My name is Dana Levi.").sentences[0]).toContain("Nice to meet you, Dana Levi");
  d.respond("Haifa, about 2000 dollars");
  const end = d.respond("tomorrow at ten");
  expect(end.action).toBe("hangup");
  expect(end.sentences[0]).toContain("a plumber");
  expect(end.sentences[0]).toContain("tomorrow at ten");
  expect(h.leads).toEqual([{ need: "I need a plumber" }, { name: "Dana Levi" }, { area: "Haifa", budget: "2000 dollars" }]);
  expect(h.callbacks).toEqual([{ when: "tomorrow at ten", notes: "I need a plumber" } as never]);
});

test("Hebrew lead capture", () => {
  const h = host();
  const d = new ScriptedDialog(linesFor("he-IL"), h);
  expect(d.respond("אני צריך חשמלאי").sentences).toEqual(["תודה. איך קוראים לך?"]);
  expect(d.respond("קוראים לי משה").sentences[0]).toContain("משה");
  d.respond("תל אביב, 5000 שקלים");
  expect(h.leads[2]).toEqual({ area: "תל אביב", budget: "5000 שקלים" });
  expect(d.respond("מחר בבוקר").action).toBe("hangup");
});

test("asking for a person transfers when possible, else offers a call back", () => {
  expect(new ScriptedDialog(linesFor("en-US"), host(true)).respond("let me speak to a human").action).toBe("transfer");
  const r = new ScriptedDialog(linesFor("he-IL"), host(false)).respond("אני רוצה נציג");
  expect(r.action).toBeUndefined();
  expect(r.sentences[0]).toContain("אין נציג זמין");
});

test("nothing heard: asks again, never the same words twice in a row", () => {
  const d = new ScriptedDialog(linesFor("en-US"), host());
  const a = d.respond("").sentences[0];
  const b = d.respond(".").sentences[0];
  expect(a).not.toBe(b);
  expect(d.step).toBe("need");
});
