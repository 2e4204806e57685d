/**
 * Writes the sounds in assets/sounds/ (8 kHz μ-law WAV, what a phone line carries) from their definitions in
 * src/audio/tones.ts. The binary ships the files; run this only to change a sound:
 *   bun scripts/sounds.ts
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { mulawWav } from "../src/audio/riff.ts";
import { SOUNDS, tone } from "../src/audio/tones.ts";

for (const [name, s] of Object.entries(SOUNDS)) {
  const file = join(import.meta.dir, "..", "assets", "sounds", `${name}.wav`);
  writeFileSync(file, mulawWav(tone(s.hz, s.ms)));
  console.log(`${file}: ${s.hz} Hz, ${s.ms} ms`);
}
