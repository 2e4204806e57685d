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

test("the priority lane: a reserved slot ordinary tasks cannot take, and priority waiters served before ordinary ones", async () => {
  const gate = new Semaphore(1, 2, 5_000, 1);
  const releases: Array<() => void> = [];
  const order: string[] = [];
  const hold = (name: string, priority = false) =>
    gate.run(
      () =>
        new Promise<void>((r) => {
          order.push(name);
          releases.push(r);
        }),
      { priority },
    );
  const ordinary = [hold("a"), hold("b"), hold("c")]; // a runs, b and c wait
  const outcome = hold("d").catch((e) => (e instanceof Busy ? "busy" : e)); // the ordinary queue is full
  expect(await outcome).toBe("busy");
  expect(gate.pressed).toBe(true);
  const owner = hold("owner", true); // the reserved slot: starts at once although the ordinary lane is full
  await Bun.sleep(0);
  expect(order).toEqual(["a", "owner"]);
  expect(gate.stats.priority).toEqual({ immediate: 1, waited: 0, refused: 0 });
  const second = hold("second", true); // both slots taken: waits in its own queue, ahead of b and c
  await Bun.sleep(0);
  expect(gate.queued).toBe(2);
  releases.shift()!(); // a ends
  await Bun.sleep(0);
  expect(order).toEqual(["a", "owner", "second"]);
  expect(gate.stats.priority.waited).toBe(1);
  // the reserved slot never runs an ordinary task: with owner and second running, b still waits
  releases.shift()!(); // owner ends; second holds the ordinary slot, the reserved one is free
  await Bun.sleep(0);
  expect(order).toEqual(["a", "owner", "second"]);
  releases.shift()!(); // second ends: b
  await Bun.sleep(0);
  expect(order.at(-1)).toBe("b");
  expect(gate.running).toBe(1);
  while (releases.length) {
    releases.shift()!();
    await Bun.sleep(0);
  }
  await Promise.all([...ordinary, owner, second]);
  expect(order).toEqual(["a", "owner", "second", "b", "c"]);
  expect(gate.stats.normal).toEqual({ immediate: 1, waited: 2, refused: 1 });
  expect(gate.running).toBe(0);
  expect(gate.pressed).toBe(false);
});
