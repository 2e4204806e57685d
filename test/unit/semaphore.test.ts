import { expect, test } from "bun:test";
import { Busy, Semaphore } from "../../src/auth/semaphore.ts";

test("never more than max at once; a bounded queue waits; the rest are Busy at once", async () => {
  const gate = new Semaphore(2, 3, 5_000);
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const task = () =>
    gate.run(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise<void>((r) => releases.push(r));
      running--;
    });
  const outcomes = Array.from({ length: 10 }, () => task().then(() => "done", (e) => (e instanceof Busy ? "busy" : String(e))));
  await Bun.sleep(0);
  expect(gate.running).toBe(2);
  expect(gate.queued).toBe(3);
  // drain: each release lets a waiter in, never a third runner
  while (releases.length) {
    releases.shift()!();
    await Bun.sleep(0);
    expect(running).toBeLessThanOrEqual(2);
  }
  expect((await Promise.all(outcomes)).sort()).toEqual([...Array(5).fill("busy"), ...Array(5).fill("done")]);
  expect(peak).toBe(2);
  expect(gate.running).toBe(0);
});

test("a waiter that waits longer than maxWaitMs gives up with Busy and frees its place", async () => {
  const gate = new Semaphore(1, 1, 30);
  let release!: () => void;
  const first = gate.run(() => new Promise<void>((r) => (release = r)));
  await expect(gate.run(async () => "late")).rejects.toBeInstanceOf(Busy);
  expect(gate.queued).toBe(0);
  release();
  await first;
  expect(await gate.run(async () => "now")).toBe("now");
});

test("a task that throws frees its slot", async () => {
  const gate = new Semaphore(1, 0, 100);
  await expect(gate.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  expect(await gate.run(async () => 1)).toBe(1);
});
