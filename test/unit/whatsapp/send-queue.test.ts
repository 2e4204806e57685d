/** The per-number pacing of outgoing WhatsApp messages. */
import { expect, test } from "bun:test";
import { SendQueue } from "../../../src/whatsapp/send-queue.ts";

test("sends to one number start ≥ gap after the previous one ended (plus jitter), in order; other numbers are not held up; failures do not jam the lane", async () => {
  const q = new SendQueue({ gapMs: 300, jitterMs: 100, maxPending: 10 });
  const starts: Array<[string, number]> = [];
  const t0 = performance.now();
  const send = (key: string, fail = false) =>
    q.run(key, async () => {
      starts.push([key, performance.now() - t0]);
      if (fail) throw new Error("provider said no");
      return key;
    });
  const results = await Promise.allSettled([send("+1"), send("+1", true), send("+1"), send("+1"), send("+2"), send("+2")]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
  const one = starts.filter(([k]) => k === "+1").map(([, t]) => t);
  const two = starts.filter(([k]) => k === "+2").map(([, t]) => t);
  for (let i = 1; i < one.length; i++) {
    expect(one[i]! - one[i - 1]!).toBeGreaterThanOrEqual(299);
    expect(one[i]! - one[i - 1]!).toBeLessThan(300 + 100 + 150);
  }
  expect(two[0]!).toBeLessThan(50); // a different number starts at once
  expect(two[1]! - two[0]!).toBeGreaterThanOrEqual(299);
});

test("a number with maxPending sends waiting gets a rate-limit error, not an ever longer queue", async () => {
  const q = new SendQueue({ gapMs: 50, jitterMs: 0, maxPending: 3 });
  const runs = Array.from({ length: 5 }, () => q.run("+1", async () => "ok").then(() => "ok", (e: Error & { code?: string }) => e.code));
  expect(await Promise.all(runs)).toEqual(["ok", "ok", "ok", "rate_limited", "rate_limited"]);
  // once drained the number can send again
  expect(await q.run("+1", async () => "again")).toBe("again");
});

test("the gap counts from the provider's answer: a slow send still leaves the full gap before the next one starts", async () => {
  const q = new SendQueue({ gapMs: 200, jitterMs: 0, maxPending: 10 });
  const marks: Array<{ start: number; end: number }> = [];
  const t0 = performance.now();
  // the first request takes 300 ms to be answered (a slow network or provider), the second is instant
  const slow = [300, 0];
  await Promise.all(
    slow.map((ms) =>
      q.run("+1", async () => {
        const start = performance.now() - t0;
        await Bun.sleep(ms);
        marks.push({ start, end: performance.now() - t0 });
      }),
    ),
  );
  expect(marks[1]!.start - marks[0]!.end).toBeGreaterThanOrEqual(199);
});
