/** The pacer on a virtual clock: frames on an absolute schedule, bounded lead, marks in order, clear. */
import { expect, test } from "bun:test";
import { Pacer } from "../../../src/call/pacer.ts";

function virtual() {
  let now = 1000;
  const timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let nextId = 1;
  const clock = {
    now: () => now,
    date: () => new Date(now),
    setTimer: (fn: () => void, ms: number) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    /** Moves the clock without running timers (a stalled event loop). */
    jump(ms: number) {
      now += ms;
    },
    /** Runs timers up to now + ms, in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = end;
    },
  };
  return clock;
}

function setup(leadMs = 100) {
  const clock = virtual();
  const sent: Array<{ at: number; what: string }> = [];
  const pacer = new Pacer(
    {
      frame: (f) => sent.push({ at: clock.now(), what: `f${f[0]}` }),
      mark: (name) => sent.push({ at: clock.now(), what: `m:${name}` }),
      clear: () => sent.push({ at: clock.now(), what: "clear" }),
    },
    { leadMs, clock },
  );
  const frames = (n: number, tag = 1) => Array.from({ length: n }, () => new Uint8Array(160).fill(tag));
  return { clock, sent, pacer, frames };
}

test("frame n goes out no earlier than start + n·20 ms − lead, and never falls behind", () => {
  const { clock, sent, pacer, frames } = setup(100);
  const start = clock.now();
  pacer.push(frames(100), "end");
  // the lead: 100 ms worth (5 frames) + the frame due now go out at once
  expect(sent.filter((s) => s.at === start)).toHaveLength(6);
  clock.advance(3000);
  const frameSends = sent.filter((s) => s.what.startsWith("f"));
  expect(frameSends).toHaveLength(100);
  frameSends.forEach((s, n) => {
    expect(s.at).toBeGreaterThanOrEqual(start + n * 20 - 100);
    expect(s.at).toBeLessThanOrEqual(start + n * 20);
  });
  // the mark follows the last frame immediately
  expect(sent.at(-1)).toEqual({ at: frameSends.at(-1)!.at, what: "m:end" });
  expect(pacer.framesSent).toBe(100);
});

test("the schedule is absolute: after a stalled timer it catches up instead of drifting", () => {
  const { clock, sent, pacer, frames } = setup(100);
  const t0 = clock.now();
  pacer.push(frames(50));
  clock.advance(200);
  clock.jump(300); // the event loop stalls for 300 ms: no timer runs
  clock.advance(0);
  // everything due by now + lead went out in one go: frames 0..(500+100)/20
  expect(sent).toHaveLength(31);
  clock.advance(1000);
  expect(sent).toHaveLength(50);
  // the last frame went out on the original schedule (due t0 + 980), not 300 ms late
  expect(sent.at(-1)!.at).toBeLessThanOrEqual(t0 + 980);
});

test("marks separate sentences; a late second sentence is counted as a gap", () => {
  const { clock, sent, pacer, frames } = setup(100);
  pacer.push(frames(10, 1), "0:0");
  clock.advance(500); // sentence 1 (200 ms) has played; 300 ms pass with nothing to send
  pacer.push(frames(10, 2), "0:1", true);
  clock.advance(500);
  expect(sent.map((s) => s.what).filter((w) => w.startsWith("m"))).toEqual(["m:0:0", "m:0:1"]);
  expect(pacer.gaps).toHaveLength(1);
  expect(pacer.gaps[0]).toBe(300);
});

test("clear drops what was not sent and tells the far end", () => {
  const { clock, sent, pacer, frames } = setup(100);
  pacer.push(frames(100), "end");
  clock.advance(200);
  const beforeClear = sent.length;
  pacer.clear();
  clock.advance(5000);
  expect(sent.length).toBe(beforeClear + 1);
  expect(sent.at(-1)!.what).toBe("clear");
  expect(sent.some((s) => s.what === "m:end")).toBe(false);
  expect(pacer.busy).toBe(false);
});
