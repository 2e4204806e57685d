/** The barge-in count on its own: speech across short pauses, clicks and coughs, the reset. */
import { expect, test } from "bun:test";
import { BargeInDetector } from "../../../src/call/barge-in.ts";

function feed(d: BargeInDetector, pattern: Array<[ms: number, voiced: boolean]>): number | undefined {
  let t = 0;
  for (const [ms, voiced] of pattern)
    for (let i = 0; i < ms; i += 20) {
      t += 20;
      if (d.frame(voiced)) return t;
    }
  return undefined;
}

test("unbroken speech interrupts after BARGE_IN_MS", () => {
  expect(feed(new BargeInDetector({ bargeInMs: 200 }), [[1000, true]])).toBe(200);
});

test("short words with pauses under 300 ms add up; the time to interrupt is the speech plus the pauses", () => {
  // "רגע, רגע, יש לי שאלה": 140 ms, pause 160 ms, 140 ms …
  expect(feed(new BargeInDetector({ bargeInMs: 200 }), [[140, true], [160, false], [140, true]])).toBe(140 + 160 + 60);
});

test("a pause of 300 ms or more starts the count again", () => {
  const d = new BargeInDetector({ bargeInMs: 200 });
  expect(feed(d, [[180, true], [300, false], [180, true], [300, false]])).toBeUndefined();
  expect(d.speechMs).toBe(0);
});

test("clicks (bursts under 60 ms) never count, however many", () => {
  const d = new BargeInDetector({ bargeInMs: 200 });
  const clicks: Array<[number, boolean]> = [];
  for (let i = 0; i < 50; i++) clicks.push([40, true], [100, false]);
  expect(feed(d, clicks)).toBeUndefined();
});

test("a cough under 100 ms alone does not interrupt", () => {
  expect(feed(new BargeInDetector({ bargeInMs: 200 }), [[80, true], [1000, false]])).toBeUndefined();
});

test("a frame the VAD missed inside a word does not split it into clicks", () => {
  // 40 ms voiced, 20 ms missed, 40 ms voiced …: one burst of speech
  const pattern: Array<[number, boolean]> = [];
  for (let i = 0; i < 6; i++) pattern.push([40, true], [20, false]);
  expect(feed(new BargeInDetector({ bargeInMs: 200 }), pattern)).toBeDefined();
});

test("reset forgets speech counted before the agent took the floor", () => {
  const d = new BargeInDetector({ bargeInMs: 200 });
  feed(d, [[180, true]]);
  d.reset();
  expect(feed(d, [[180, true]])).toBeUndefined();
});
