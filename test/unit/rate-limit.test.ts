import { expect, test } from "bun:test";
import { FailureLimiter } from "../../src/auth/rate-limit.ts";

test("blocks after max failures in the window and frees the key as failures age out", () => {
  let now = 1_000_000;
  const limiter = new FailureLimiter(5, 60_000, () => now);
  for (let i = 0; i < 4; i++) limiter.fail("1.2.3.4");
  expect(limiter.retryAfterS("1.2.3.4")).toBe(0);
  limiter.fail("1.2.3.4");
  expect(limiter.retryAfterS("1.2.3.4")).toBe(60);
  expect(limiter.retryAfterS("5.6.7.8")).toBe(0);
  now += 30_000;
  expect(limiter.retryAfterS("1.2.3.4")).toBe(30);
  now += 30_001;
  expect(limiter.retryAfterS("1.2.3.4")).toBe(0);
});

test("take counts before the outcome is known: the sixth take is refused without counting", () => {
  const limiter = new FailureLimiter(5, 60_000, () => 1000);
  const taken = Array.from({ length: 8 }, () => limiter.take("k"));
  expect(taken.map((t) => t.ok)).toEqual([true, true, true, true, true, false, false, false]);
  // giving one back (it succeeded) lets exactly one more in
  const first = taken[0]!;
  if (!first.ok) throw new Error("unreachable");
  limiter.release("k", first.attempt);
  expect(limiter.take("k").ok).toBe(true);
  expect(limiter.take("k").ok).toBe(false);
});

test("forget drops only the attempts carrying that tag", () => {
  const limiter = new FailureLimiter(3, 60_000, () => 1000);
  limiter.take("ip", "a@example.com");
  limiter.take("ip", "b@example.com");
  limiter.take("ip", "b@example.com");
  expect(limiter.retryAfterS("ip")).toBeGreaterThan(0);
  limiter.forget("ip", "a@example.com");
  expect(limiter.retryAfterS("ip")).toBe(0);
  expect(limiter.take("ip", "b@example.com").ok).toBe(true);
  expect(limiter.take("ip", "b@example.com").ok).toBe(false);
});

test("reset clears a key", () => {
  const limiter = new FailureLimiter(2, 60_000);
  limiter.fail("k");
  limiter.fail("k");
  expect(limiter.retryAfterS("k")).toBeGreaterThan(0);
  limiter.reset("k");
  expect(limiter.retryAfterS("k")).toBe(0);
});
