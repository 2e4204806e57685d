/** The sounds the binary ships from assets/sounds: the beep file is the tone it is defined as, and read as μ-law. */
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { wavHeader } from "../../../src/audio/riff.ts";
import { BEEP, readMulawWav, SOUNDS, tone } from "../../../src/audio/tones.ts";
import { tempDir } from "../../support/server.ts";

test("assets/sounds/beep.wav is the 1 kHz, 400 ms beep (3200 μ-law samples at 8 kHz)", () => {
  expect(BEEP.length).toBe(3200);
  expect(BEEP).toEqual(tone(SOUNDS.beep.hz, SOUNDS.beep.ms));
});

test("a sound file that is not 8 kHz mono μ-law is refused with its reason", () => {
  const file = join(tempDir(), "pcm.wav");
  writeFileSync(file, new Uint8Array([...wavHeader({ format: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16, dataBytes: 4 }), 0, 0, 0, 0]));
  expect(() => readMulawWav(file)).toThrow("not 8 kHz mono μ-law (format 1, 16000 Hz, 1 channels)");
});
