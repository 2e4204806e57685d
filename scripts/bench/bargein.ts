/**
 * Barge-in over a real phone line, simulated: the server (a child process) speaks long replies with its offline
 * voice (espeak-ng, real speech); the caller's line adds steady background noise and an echo of the agent's own
 * audio (delayed and attenuated, as a carrier's echo canceller leaves it); callers interrupt with openers made with
 * espeak-ng — Hebrew and English, short words with short pauses ("רגע, רגע, יש לי שאלה", "wait, wait…") — each word
 * at the agent's speech level (espeak-ng's own levels differ by 10 dB from word to word; a phone network levels them).
 * Prints the time from the caller's first voiced frame to Twilio receiving `clear` (p50, max) and the false
 * interruptions over long replies with no caller speech at all.
 * Targets: p50 ≤ 250 ms, max ≤ 400 ms, zero false interruptions.
 *   bun scripts/bench/bargein.ts [calls per line = 3] [interruptions per call = 3]
 */
import { decode, encode, MULAW_SILENCE } from "../../src/audio/mulaw.ts";
import { rms } from "../../src/audio/vad.ts";
import { espeakMulaw } from "../../src/providers/offline/espeak-wasm.ts";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import type { LineOptions } from "../../src/sim/line.ts";
import { FakeGoogle } from "../../test/fakes/google.ts";
import { FakeLlm } from "../../test/fakes/llm.ts";
import { startServerProcess } from "./harness.ts";
import { percentile, printTable } from "./table.ts";

const CALLS_PER_LINE = Number(process.argv[2] ?? 3);
const INTERRUPTIONS = Number(process.argv[3] ?? 3);

const LINES: Array<{ name: string; line: LineOptions }> = [
  { name: "noise −50 dBFS, echo −30 dB @120 ms", line: { noiseRms: 100, echoGain: 0.032, echoDelayMs: 120, seed: 1 } },
  { name: "noise −45 dBFS, echo −25 dB @200 ms", line: { noiseRms: 180, echoGain: 0.056, echoDelayMs: 200, seed: 2 } },
  { name: "noise −42 dBFS, echo −20 dB @300 ms", line: { noiseRms: 250, echoGain: 0.1, echoDelayMs: 300, seed: 3 } },
];

/** Words (espeak-ng) and pauses (ms) as an interrupting caller says them: short words, short pauses. */
const OPENERS: Array<{ voice: string; parts: Array<string | number> }> = [
  { voice: "he", parts: ["רגע", 150, "רגע", 150, "יש לי שאלה"] },
  { voice: "en-us", parts: ["wait", 150, "wait", 150, "I have a question"] },
  { voice: "he", parts: ["שנייה", 120, "סליחה", 150, "רק רגע"] },
  { voice: "en-us", parts: ["sorry", 120, "sorry", 150, "one second"] },
  { voice: "he", parts: ["לא", 130, "לא", 150, "זה לא מה שביקשתי"] },
  { voice: "en-us", parts: ["no", 130, "no", 150, "that's not what I asked"] },
  { voice: "he", parts: ["סליחה", 180, "אפשר לשאול משהו"] },
  { voice: "en-us", parts: ["hold on", 150, "hold on please"] },
  { voice: "en-us", parts: ["excuse me", 200, "one question"] },
];

const LONG_REPLY = [
  "אנחנו עובדים בכל אזור המרכז, מראשון לציון ועד נתניה. ",
  "הטכנאים שלנו מגיעים בדרך כלל תוך יום עבודה אחד, ובמקרים דחופים גם באותו יום. ",
  "כל עבודה מתחילה בבדיקה ובהצעת מחיר כתובה, בלי התחייבות. ",
  "יש לנו אחריות של שנה על כל עבודה, ושנתיים על חלקים שאנחנו מספקים. ",
  "אפשר לשלם באשראי, בהעברה בנקאית או במזומן, ובעבודות גדולות גם בתשלומים. ",
  "אם תרצו, אני יכולה לרשום את הפרטים שלכם ולתאם ביקור של טכנאי. ",
];

const trim = (mulaw: Uint8Array): Uint8Array => {
  let start = 0;
  let end = mulaw.length - (mulaw.length % 160);
  while (start < end && rms(decode(mulaw.subarray(start, start + 160))) < 100) start += 160;
  while (end > start && rms(decode(mulaw.subarray(end - 160, end))) < 100) end -= 160;
  return mulaw.subarray(start, end);
};
/** The caller's level: active speech at RMS 2000 (≈ −24 dBFS), that of the agent's offline voice. */
const CALLER_RMS = 2000;
const level = (mulaw: Uint8Array): Uint8Array => {
  const pcm = decode(mulaw);
  let sum = 0;
  let n = 0;
  for (let i = 0; i + 160 <= pcm.length; i += 160) {
    const r = rms(pcm.subarray(i, i + 160));
    if (r > 160) (sum += r * r), n++;
  }
  const gain = CALLER_RMS / Math.sqrt(sum / Math.max(1, n));
  return encode(Int16Array.from(pcm, (x) => Math.max(-32768, Math.min(32767, Math.round(x * gain)))));
};
const silence = (ms: number) => new Uint8Array(Math.round(ms * 8)).fill(MULAW_SILENCE);
const join = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};
async function opener(o: (typeof OPENERS)[number]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const p of o.parts) parts.push(typeof p === "number" ? silence(p) : level(trim(await espeakMulaw(p, o.voice))));
  return join([...parts, silence(600)]);
}

const google = await new FakeGoogle().start();
google.stt.finalAfterSilenceMs = 300;
// the recognizer stand-in hears the caller's speech (RMS ≈ 2000), not the line's noise and echo
google.stt.speechRms = 1000;
google.stt.next = () => "ספרו לי עוד";
const llm = new FakeLlm().start();
llm.fallback = { firstTokenMs: 200, tokenMs: 20, tokens: LONG_REPLY };
const bargeIns = new Map<string, number>();
const bargeInLines = new Map<string, Array<Record<string, unknown>>>();
// no TTS_EMULATOR_HOST: the agent speaks with espeak-ng — real speech, so its echo is speech too
const server = await startServerProcess(
  { SPEECH_EMULATOR_HOST: google.host, OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: "bench", BARGE_IN_MS: "200" },
  {
    onLine: (l) => {
      if (l.event !== "BARGE_IN") return;
      bargeIns.set(String(l.callSid), (bargeIns.get(String(l.callSid)) ?? 0) + 1);
      bargeInLines.set(String(l.callSid), [...(bargeInLines.get(String(l.callSid)) ?? []), l]);
    },
  },
);
const openers = await Promise.all(OPENERS.map(opener));
const request = join([level(trim(await espeakMulaw("ספרו לי על השירותים שלכם", "he"))), silence(200)]);
let openerAt = 0;

/** Until the agent has started a reply after wall time `t` (its first frame), or `ms` passed. */
const replyAfter = (c: SimulatedCaller, t: number, ms: number) => c.waitUntil(() => c.frames.some((f) => f.at > t), ms, "a reply");

type Result = { line: string; latency?: number; opener: string };

async function interruptingCall(line: (typeof LINES)[number]): Promise<Result[]> {
  const caller = new SimulatedCaller({ baseUrl: server.url, line: line.line });
  const results: Result[] = [];
  try {
    await caller.dial();
    await caller.connect();
    await caller.waitForQuiet(400, 30_000);
    const asked = performance.now();
    await caller.speak(request);
    await replyAfter(caller, asked, 10_000);
    for (let i = 0; i < INTERRUPTIONS; i++) {
      await Bun.sleep(1500 + Math.random() * 2000); // somewhere in the reply
      const o = openerAt++ % OPENERS.length;
      const clearsBefore = caller.clears.length;
      const done = caller.speak(openers[o]!);
      const spoken = await caller.waitUntil(() => caller.clears.length > clearsBefore, 3000, "clear").then(
        () => true,
        () => false,
      );
      results.push({ line: line.name, opener: OPENERS[o]!.parts.join(" "), latency: spoken ? caller.clears.at(-1)! - caller.firstVoicedSentAt : undefined });
      await done;
      const heardAt = performance.now();
      await replyAfter(caller, heardAt, 10_000); // the agent answers the interruption: another long reply
    }
  } finally {
    await caller.hangup().catch(() => {});
  }
  return results;
}

/** A caller who asks once and then only listens to a long reply over noise and echo: any barge-in is false. */
async function listeningCall(line: (typeof LINES)[number]): Promise<{ line: string; agentSeconds: number; falseInterruptions: number }> {
  const caller = new SimulatedCaller({ baseUrl: server.url, line: line.line });
  try {
    await caller.dial();
    await caller.connect();
    await caller.waitForQuiet(400, 30_000);
    const asked = performance.now();
    await caller.speak(request);
    await replyAfter(caller, asked, 10_000);
    await caller.waitForQuiet(1500, 180_000);
  } finally {
    await caller.hangup().catch(() => {});
  }
  // the server's own count, and what the caller saw (a `clear`)
  if (process.env.DEBUG) for (const l of bargeInLines.get(caller.callSid) ?? []) console.error(`false barge-in on ${line.name}: ${JSON.stringify(l)}`);
  return { line: line.name, agentSeconds: caller.frames.length / 50, falseInterruptions: Math.max(bargeIns.get(caller.callSid) ?? 0, caller.clears.length) };
}

const interruptions: Result[] = [];
for (let round = 0; round < CALLS_PER_LINE; round++) interruptions.push(...(await Promise.all(LINES.map(interruptingCall))).flat());
// the listening calls hear a reply three times as long
llm.fallback = { firstTokenMs: 200, tokenMs: 20, tokens: [...LONG_REPLY, ...LONG_REPLY, ...LONG_REPLY] };
const listening = (await Promise.all(LINES.flatMap((l) => [listeningCall(l), listeningCall(l)]))).flat();

const rows = [...LINES.map((l) => l.name), "all lines"].map((name) => {
  const mine = interruptions.filter((r) => name === "all lines" || r.line === name);
  const lat = mine.flatMap((r) => (r.latency === undefined ? [] : [r.latency])).sort((a, b) => a - b);
  const quiet = listening.filter((r) => name === "all lines" || r.line === name);
  return {
    line: name,
    interruptions: mine.length,
    missed: mine.length - lat.length,
    "p50 ms": percentile(lat, 50),
    "max ms": lat.at(-1) ?? NaN,
    "agent speech heard s": quiet.reduce((s, r) => s + r.agentSeconds, 0),
    "false interruptions": quiet.reduce((s, r) => s + r.falseInterruptions, 0),
  };
});
printTable("Barge-in: caller's first voiced frame → clear, over noise and echo (targets: p50 ≤ 250 ms, max ≤ 400 ms, 0 false)", rows);
const slow = interruptions.filter((r) => (r.latency ?? Infinity) > 300);
if (slow.length) console.log(`\nslowest: ${slow.map((r) => `${r.opener} ${r.latency?.toFixed(0) ?? "missed"} ms`).join("; ")}`);
await server.stop();
llm.stop();
await google.stop();
process.exit(0);

