/** The test call's resampler: band-limited both ways, continuous across chunks, constant in → constant out. */
import { describe, expect, test } from "bun:test";
import { Resampler } from "../../../src/web/audio/resampler.ts";

const tone = (hz: number, rate: number, seconds: number, amp = 0.5) => Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

/** Amplitude of `hz` in `x` (a single-bin DFT over the middle of the signal, away from the edges). */
function amplitude(x: Float32Array, hz: number, rate: number): number {
  const from = Math.floor(x.length / 4);
  const to = Math.floor((3 * x.length) / 4);
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * hz * i) / rate);
    im += x[i]! * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

function run(r: Resampler, input: Float32Array, chunk: number): Float32Array {
  const parts: Float32Array[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(r.push(input.subarray(i, i + chunk)));
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

describe("48 kHz microphone → 8 kHz phone", () => {
  test("speech-band tones pass at full level; one second in is one second out (less the kernel's delay)", () => {
    for (const hz of [300, 1000, 3000]) {
      const out = run(new Resampler(48000, 8000), tone(hz, 48000, 1), 512);
      expect(out.length).toBeGreaterThan(8000 - 40);
      expect(out.length).toBeLessThanOrEqual(8000);
      expect(amplitude(out, hz, 8000)).toBeCloseTo(0.5, 1);
    }
  });

  test("tones above the phone's band are removed, not folded back (6 kHz would alias to 2 kHz; 10 kHz to 2 kHz)", () => {
    for (const [hz, alias] of [[6000, 2000], [10000, 2000], [4500, 3500]] as const) {
      const out = run(new Resampler(48000, 8000), tone(hz, 48000, 1), 512);
      expect(amplitude(out, alias, 8000)).toBeLessThan(0.01);
    }
  });

  test("44.1 kHz too (a non-integer ratio)", () => {
    const out = run(new Resampler(44100, 8000), tone(1000, 44100, 1), 441);
    expect(Math.abs(out.length - 8000)).toBeLessThan(40);
    expect(amplitude(out, 1000, 8000)).toBeCloseTo(0.5, 1);
  });
});

describe("8 kHz agent → 48 kHz sound card", () => {
  test("a tone keeps its level and pitch; no image of it above 4 kHz", () => {
    const out = run(new Resampler(8000, 48000), tone(1000, 8000, 1), 160);
    expect(Math.abs(out.length - 48000)).toBeLessThan(200);
    expect(amplitude(out, 1000, 48000)).toBeCloseTo(0.5, 1);
    expect(amplitude(out, 7000, 48000)).toBeLessThan(0.01);
  });
});

test("chunk sizes do not matter: pieces give exactly the samples of the whole", () => {
  const input = tone(440, 48000, 0.5);
  const whole = run(new Resampler(48000, 8000), input, input.length);
  for (const chunk of [1, 7, 128, 1000]) {
    const pieces = run(new Resampler(48000, 8000), input, chunk);
    expect(pieces.length).toBe(whole.length);
    let worst = 0;
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(whole[i]! - pieces[i]!));
    expect(worst).toBeLessThan(1e-6);
  }
});

test("a constant comes out constant; flush lets the tail out; reset starts afresh", () => {
  const r = new Resampler(8000, 44100);
  const out = r.push(new Float32Array(800).fill(0.25));
  expect(out.length).toBeGreaterThan(4000);
  for (const v of out.subarray(200)) expect(v).toBeCloseTo(0.25, 5);
  const before = out.length;
  const tail = r.flush();
  expect(before + tail.length).toBeGreaterThanOrEqual(4410);
  r.reset();
  expect(r.push(new Float32Array(10)).length).toBe(0); // the kernel's delay again
  expect(() => new Resampler(0, 8000)).toThrow(RangeError);
});
