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

test("reset clears a key", () => {
  const limiter = new FailureLimiter(2, 60_000);
  limiter.fail("k");
  limiter.fail("k");
  expect(limiter.retryAfterS("k")).toBeGreaterThan(0);
  limiter.reset("k");
  expect(limiter.retryAfterS("k")).toBe(0);
});
