import { expect, test } from "bun:test";
import { decode, decodeSample, encode, encodeSample, FRAME_BYTES, MULAW_SILENCE, toFrames } from "../../../src/audio/mulaw.ts";

test("G.711 reference points", () => {
  expect(encodeSample(0)).toBe(0xff);
  expect(MULAW_SILENCE).toBe(0xff);
  expect(decodeSample(0xff)).toBe(0);
  expect(encodeSample(32767)).toBe(0x80); // clipped to the largest positive code
  expect(encodeSample(-32768)).toBe(0x00);
  expect(decodeSample(0x80)).toBe(32124);
  expect(decodeSample(0x00)).toBe(-32124);
});

test("round trip stays within μ-law's quantisation error", () => {
  for (let s = -32000; s <= 32000; s += 37) {
    const back = decodeSample(encodeSample(s));
    // the step grows with magnitude: ≤ 1/16 of the value plus the bias region
    expect(Math.abs(back - s)).toBeLessThanOrEqual(Math.abs(s) / 16 + 16);
  }
  const pcm = Int16Array.from({ length: 800 }, (_, i) => Math.round(Math.sin(i / 5) * 12000));
  const again = decode(encode(pcm));
  expect(again.length).toBe(800);
});

test("every code decodes and re-encodes to itself (but negative zero)", () => {
  for (let code = 0; code < 256; code++) {
    if (code === 0x7f) continue; // -0 encodes as +0 (0xff)
    expect(encodeSample(decodeSample(code))).toBe(code);
  }
});

test("toFrames makes 160-byte frames and pads the last with silence", () => {
  const frames = toFrames(new Uint8Array(400).fill(0x10));
  expect(frames.map((f) => f.length)).toEqual([FRAME_BYTES, FRAME_BYTES, FRAME_BYTES]);
  expect(frames[2]!.slice(0, 80).every((b) => b === 0x10)).toBe(true);
  expect(frames[2]!.slice(80).every((b) => b === 0xff)).toBe(true);
});
