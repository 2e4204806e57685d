import { expect, test } from "bun:test";
import { decode } from "../../../src/audio/mulaw.ts";
import { EnergyVad } from "../../../src/audio/vad.ts";
import { speech } from "../../support/speech.ts";

const noise = (amp: number) => Int16Array.from({ length: 160 }, () => Math.round((Math.random() * 2 - 1) * amp));

test("silence and low line noise are not speech; real speech is", async () => {
  const vad = new EnergyVad();
  for (let i = 0; i < 50; i++) expect(vad.isSpeech(new Int16Array(160))).toBe(false);
  for (let i = 0; i < 50; i++) expect(vad.isSpeech(noise(60))).toBe(false);
  const pcm = decode(await speech("hello there, this is a test"));
  let voiced = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160) voiced += vad.isSpeech(pcm.subarray(i, i + 160)) ? 1 : 0;
  const frames = Math.floor(pcm.length / 160);
  expect(voiced / frames).toBeGreaterThan(0.4);
});

test("the noise floor adapts: steady loud hum stops counting as speech", () => {
  const vad = new EnergyVad();
  const hum = () => Int16Array.from({ length: 160 }, (_, i) => Math.round(Math.sin(i / 3) * 700));
  let lastVoiced = 0;
  for (let i = 0; i < 3000; i++) if (vad.isSpeech(hum())) lastVoiced = i;
  expect(lastVoiced).toBeLessThan(160); // within one 3 s window (150 frames)
  // a voice well above the learned floor still counts
  expect(vad.isSpeech(Int16Array.from({ length: 160 }, (_, i) => Math.round(Math.sin(i / 2) * 9000)))).toBe(true);
});
