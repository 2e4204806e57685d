import { expect, test } from "bun:test";
import { mulawWav, parseWav, RiffError, stripWavHeader, wavHeader } from "../../../src/audio/riff.ts";
import { wavToMulaw8k } from "../../../src/audio/resample.ts";
import { fakeWavMulaw } from "../../fakes/google.ts";

test("finds the data chunk past extra chunks (not a fixed 44 bytes)", () => {
  const wav = new Uint8Array(fakeWavMulaw(500));
  const info = parseWav(wav);
  expect(info.format).toBe(7);
  expect(info.sampleRate).toBe(8000);
  expect(info.data.length).toBe(4000);
  // the header here is longer than 44 bytes: cutting 44 would have left header bytes in the audio
  expect(wav.length - info.data.length).toBeGreaterThan(44);
  expect(stripWavHeader(wav)).toEqual(info.data);
});

test("odd-sized chunks are padded", () => {
  const header = wavHeader({ format: 7, channels: 1, sampleRate: 8000, bitsPerSample: 8, dataBytes: 3 });
  const odd = new Uint8Array([...header.slice(0, 36), ...new TextEncoder().encode("junk"), 1, 0, 0, 0, 0x42, 0, ...header.slice(36), 7, 8, 9]);
  new DataView(odd.buffer).setUint32(4, odd.length - 8, true);
  expect([...parseWav(odd).data]).toEqual([7, 8, 9]);
});

test("a data size of 0 (streamed, never patched) reads to the end of the file", () => {
  const wav = new Uint8Array([...wavHeader({ format: 7, channels: 1, sampleRate: 8000, bitsPerSample: 8, dataBytes: 0 }), 1, 2, 3, 4]);
  expect([...parseWav(wav).data]).toEqual([1, 2, 3, 4]);
});

test("headerless audio passes through; garbage is an error", () => {
  const raw = new Uint8Array([0xff, 0x7f, 0x00]);
  expect(stripWavHeader(raw)).toBe(raw);
  expect(() => parseWav(raw)).toThrow(RiffError);
  const noData = wavHeader({ format: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, dataBytes: 0 }).slice(0, 36);
  expect(() => parseWav(noData)).toThrow("no data chunk");
});

test("mulawWav and wavToMulaw8k round trip; 16-bit PCM at 16 kHz is resampled to 8 kHz", () => {
  const audio = Uint8Array.from({ length: 800 }, (_, i) => i % 256);
  expect(wavToMulaw8k(mulawWav(audio))).toEqual(audio);
  const pcm = new Int16Array(16000); // 1 s at 16 kHz
  const bytes = new Uint8Array(pcm.buffer);
  const wav = new Uint8Array([...wavHeader({ format: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16, dataBytes: bytes.length }), ...bytes]);
  expect(wavToMulaw8k(wav).length).toBe(8000);
});
