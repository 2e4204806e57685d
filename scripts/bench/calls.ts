/**
 * Concurrent calls against the real server (a child process) with zero-latency stand-ins (Google gRPC stand-in,
 * scripted dialog). Each call: greeting, one utterance of real speech, the reply. Prints per concurrency level:
 * end-of-utterance overhead (first reply frame − caller's last voiced frame − EOU_SILENCE_MS) p50/p95/max,
 * time from `start` to the greeting's first frame (p95; target ≤ 150 ms), playback gaps, server RSS per call and CPU.
 * Targets (2 cores): overhead p95 ≤ 30 ms at 100 calls, zero gaps, ≤ 1 MB per call.
 *   bun scripts/bench/calls.ts [20 100 200]
 */
import { espeakMulaw } from "../../src/providers/offline/espeak-wasm.ts";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { FakeGoogle } from "../../test/fakes/google.ts";
import { procStats, startServerProcess } from "./harness.ts";
import { percentile, printTable } from "./table.ts";

const levels = process.argv.slice(2).map(Number).filter((n) => n > 0);
const LEVELS = levels.length ? levels : [20, 100, 200];
const EOU = 500;

const google = await new FakeGoogle().start();
google.stt.finalAfterSilenceMs = 100; // the final is there well before the silence window closes
google.tts.msPerChar = 20;
const utterance = await espeakMulaw("I need a plumber please", "en-us");
const server = await startServerProcess({
  SPEECH_EMULATOR_HOST: google.host,
  TTS_EMULATOR_HOST: google.host,
  AGENT_LANGUAGE: "en-US",
  STT_LANGUAGE: "en-US",
  TTS_VOICE: "en-US-Wavenet-D",
  EOU_SILENCE_MS: String(EOU),
});

const rows: Array<Record<string, string | number>> = [];
for (const n of LEVELS) {
  await Bun.sleep(500);
  const idle = procStats(server.pid);
  const started = performance.now();
  let peakRss = idle.rssMb;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, procStats(server.pid).rssMb)), 100);
  google.stt.transcripts.push(...Array.from({ length: n }, () => "I need a plumber please"));
  const results = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await Bun.sleep((i * 1500) / n); // calls arrive over 1.5 s
      const caller = new SimulatedCaller({ baseUrl: server.url });
      try {
        await caller.dial();
        await caller.connect();
        await caller.waitUntil(() => caller.frames.length > 0, 20_000, "greeting");
        const greeting = caller.frames[0]!.at - caller.startedAt;
        await caller.waitForQuiet(300, 20_000);
        const before = caller.frames.length;
        await caller.speak(utterance);
        await caller.waitUntil(() => caller.frames.length > before, 20_000, "reply");
        const overhead = caller.frames[before]!.at - caller.lastVoicedSentAt - EOU;
        await caller.waitForQuiet(300, 20_000);
        return { overhead, greeting, gaps: caller.gaps.length, ok: true };
      } catch (err) {
        return { overhead: NaN, greeting: NaN, gaps: 0, ok: false, err: String(err) };
      } finally {
        await caller.hangup().catch(() => {});
      }
    }),
  );
  clearInterval(sampler);
  const end = procStats(server.pid);
  const wall = performance.now() - started;
  const ok = results.filter((r) => r.ok);
  const overheads = ok.map((r) => r.overhead).sort((a, b) => a - b);
  const greetings = ok.map((r) => r.greeting).sort((a, b) => a - b);
  rows.push({
    calls: n,
    completed: ok.length,
    "overhead p50 ms": percentile(overheads, 50),
    "overhead p95 ms": percentile(overheads, 95),
    "overhead max ms": overheads.at(-1) ?? NaN,
    "greeting p95 ms": percentile(greetings, 95),
    "playback gaps": ok.reduce((s, r) => s + r.gaps, 0),
    "RSS/call MB": (peakRss - idle.rssMb) / n,
    "server CPU %": ((end.cpuMs - idle.cpuMs) / wall) * 100,
  });
  const failed = results.filter((r) => !r.ok);
  if (failed.length) console.error(`${failed.length} calls failed, e.g. ${(failed[0] as { err?: string }).err}`);
}
printTable(`Concurrent calls, zero-latency stand-ins, EOU_SILENCE_MS=${EOU} (targets at 100 calls: p95 ≤ 30 ms, 0 gaps, ≤ 1 MB/call)`, rows);
await server.stop();
await google.stop();
process.exit(0);
