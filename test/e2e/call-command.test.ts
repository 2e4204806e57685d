/** `agentlocator call` against the real server with the Google and LLM stand-ins. */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseWav } from "../../src/audio/riff.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { ROOT, tempDir } from "../support/server.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(() => rig.stop());

test("speaks --say in real time, reports greeting time and reply latency per turn, saves the reply as WAV", async () => {
  rig.google.stt.transcripts.push("I need a gardener", "Michal");
  const out = join(tempDir(), "reply.wav");
  const proc = Bun.spawn(["bun", join(ROOT, "src/cli.ts"), "call", rig.server.url, "--say", "I need a gardener", "--say", "Michal", "--voice", "en", "--out", out], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const text = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(0);
  expect(text).toMatch(/greeting\s+first audio after \d+ ms/);
  expect(text).toMatch(/turn 1\s+reply after \d+ ms/);
  expect(text).toMatch(/turn 2\s+reply after \d+ ms/);
  const latencies = [...text.matchAll(/reply after (\d+) ms/g)].map((m) => Number(m[1]));
  // at least EOU_SILENCE_MS, less a frame or two: the caller and the server judge the last voiced frame apart
  for (const ms of latencies) expect(ms).toBeGreaterThanOrEqual(460);
  expect(existsSync(out)).toBe(true);
  const wav = parseWav(new Uint8Array(await Bun.file(out).arrayBuffer()));
  expect(wav).toMatchObject({ format: 7, sampleRate: 8000, channels: 1 });
  expect(wav.data.length / 8000).toBeGreaterThan(3); // greeting and two replies
}, 60_000);

test("--wav plays a file; a bad file is a usage error naming the problem", async () => {
  const bad = join(tempDir(), "bad.wav");
  await Bun.write(bad, "not a wav");
  const proc = Bun.spawn(["bun", join(ROOT, "src/cli.ts"), "call", rig.server.url, "--wav", bad], { stdout: "pipe", stderr: "pipe" });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toContain("cannot read the audio");
});
