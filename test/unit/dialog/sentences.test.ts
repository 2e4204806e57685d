import { expect, test } from "bun:test";
import { SentenceSplitter, splitSentences } from "../../../src/dialog/sentences.ts";

test("sentences come out as soon as they are complete", () => {
  const s = new SentenceSplitter();
  expect(s.push("Hello the")).toEqual([]);
  expect(s.push("re! How can")).toEqual(["Hello there!"]);
  expect(s.push(" I help? We open at 9.")).toEqual(["How can I help?"]);
  expect(s.flush()).toEqual(["We open at 9."]);
});

test("Hebrew, decimals and newlines", () => {
  expect(splitSentences("שלום. מה שלומך? המחיר הוא 3.5 שקלים.\nתודה")).toEqual(["שלום.", "מה שלומך?", "המחיר הוא 3.5 שקלים.", "תודה"]);
});

test("a long run without a full stop is cut at a comma", () => {
  const s = new SentenceSplitter();
  const out = s.push("we have plumbing, electrical work, painting, tiling, carpentry, roofing, gardening, cleaning, moving, and many other services for homes and offices across the whole area");
  expect(out.length).toBe(1);
  expect(out[0]!.endsWith(",")).toBe(true);
});
