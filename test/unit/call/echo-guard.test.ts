/** The echo guard with scripted levels: it learns the line's echo delay and loudness, and tells the caller from the echo. */
import { expect, test } from "bun:test";
import { EchoGuard } from "../../../src/call/echo-guard.ts";

/** Agent speech levels (RMS): syllables of 160–200 ms with quieter gaps, seeded so runs repeat. */
function agentLevels(frames: number, seed = 1): number[] {
  let x = seed;
  const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x / 0x7fffffff);
  const out: number[] = [];
  while (out.length < frames) {
    const loud = 2000 + rnd() * 4000;
    for (let i = 0; i < 8 + Math.floor(rnd() * 3); i++) out.push(loud * (0.7 + rnd() * 0.3));
    for (let i = 0; i < 2 + Math.floor(rnd() * 4); i++) out.push(100 + rnd() * 200);
  }
  return out.slice(0, frames);
}

/** Plays `levels` and feeds the inbound level a line returns: noise plus the echo, `gain` down and `delayMs` late. */
function line(o: { gain: number; delayMs: number; noise: number; frames: number; caller?: (n: number) => number }) {
  const guard = new EchoGuard();
  const levels = agentLevels(o.frames);
  const admitted: number[] = [];
  for (let n = 0; n < o.frames; n++) {
    const t = n * 20;
    guard.played(levels[n]!, t);
    const echoed = levels[n - o.delayMs / 20] ?? 0;
    const level = Math.sqrt(o.noise ** 2 + (o.gain * echoed) ** 2 + (o.caller?.(n) ?? 0) ** 2);
    if (guard.admits(level, t, o.noise)) admitted.push(n);
  }
  return { guard, admitted, levels };
}

test("learns the delay and the loudness of the line's echo", () => {
  for (const [gain, delayMs] of [
    [0.032, 120],
    [0.056, 200],
    [0.1, 300],
  ] as const) {
    const { guard } = line({ gain, delayMs, noise: 150, frames: 500 });
    expect(Math.abs(guard.delayMs! - delayMs)).toBeLessThanOrEqual(20);
    expect(guard.echoRatio).toBeGreaterThan(gain * 0.5);
    expect(guard.echoRatio).toBeLessThan(gain * 1.3);
  }
});

test("the echo of 10 s of agent speech never passes as the caller, whatever the line", () => {
  for (const [gain, delayMs] of [
    [0.032, 120],
    [0.1, 300],
    [0.2, 250],
  ] as const) {
    const { admitted, levels } = line({ gain, delayMs, noise: 150, frames: 500 });
    // admitted frames are only those where nothing loud enough to echo was played
    const echoing = admitted.filter((n) => (levels[n - delayMs / 20] ?? 0) * gain > 150);
    expect(echoing).toEqual([]);
  }
});

test("a caller at the agent's level over the agent, once the line is known, is admitted", () => {
  const speaking = (n: number) => (n >= 300 && n < 330 ? 2500 : 0);
  const { admitted } = line({ gain: 0.1, delayMs: 300, noise: 150, frames: 400, caller: speaking });
  const heard = admitted.filter((n) => n >= 300 && n < 330).length;
  expect(heard).toBeGreaterThanOrEqual(24); // most of the 600 ms
});

test("with no agent audio everything is left to the VAD; a clear forgets what Twilio dropped", () => {
  const guard = new EchoGuard();
  let t = 0;
  const inbound = (level: number) => guard.admits(level, (t += 20), 100);
  expect(inbound(300)).toBe(true);
  for (let i = 0; i < 50; i++) guard.played(5000, t); // 1 s of audio sent at once: Twilio plays it from now
  expect(inbound(1000)).toBe(false); // the cautious prior: 1000 could be the echo of 5000
  guard.cleared(t);
  for (let i = 0; i < 35; i++) inbound(100); // 700 ms later, what was played before the clear can no longer echo
  expect(inbound(1000)).toBe(true); // and nothing after it ever played
});
