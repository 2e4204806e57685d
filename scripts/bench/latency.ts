/**
 * One call with realistic stand-in delays: STT final 250 ms after speech, LLM first token after 400 ms then
 * 30 ms/token for a three-sentence reply, TTS 200 ms per request. Measures the caller's last voiced frame → the
 * first reply frame, over several turns, against the target
 *   EOU_SILENCE_MS + LLM first token + first sentence's tokens + one TTS request + 60 ms
 * (the reply starts with its first sentence, not after the whole answer; and since the model is asked on the final
 * transcript while the silence window runs, its first-token time mostly overlaps EOU_SILENCE_MS).
 *   bun scripts/bench/latency.ts [turns]
 */
import { espeakMulaw } from "../../src/providers/offline/espeak-wasm.ts";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { FakeGoogle } from "../../test/fakes/google.ts";
import { FakeLlm } from "../../test/fakes/llm.ts";
import { startServerProcess } from "./harness.ts";
import { percentile, printTable } from "./table.ts";

const TURNS = Number(process.argv[2] ?? 5);
const EOU = 500;
const FIRST_TOKEN = 400;
const PER_TOKEN = 30;
const TTS = 200;
const STT_FINAL = 250;
// three sentences, one token per word (the first sentence is 6 tokens)
const reply = "Sure, we can help with that. ".split(/(?<= )/).concat("Our plumber is free tomorrow morning. ".split(/(?<= )/), "Shall I book a visit for you?".split(/(?<= )/));
const firstSentenceTokens = 6;
const target = EOU + FIRST_TOKEN + firstSentenceTokens * PER_TOKEN + TTS + 60;

const google = await new FakeGoogle().start();
google.stt.finalAfterSilenceMs = STT_FINAL;
google.tts.delayMs = TTS;
google.tts.msPerChar = 20;
const llm = new FakeLlm().start();
llm.fallback = { firstTokenMs: FIRST_TOKEN, tokenMs: PER_TOKEN, tokens: reply };
const server = await startServerProcess({
  SPEECH_EMULATOR_HOST: google.host,
  TTS_EMULATOR_HOST: google.host,
  OPENAI_BASE_URL: llm.url,
  OPENAI_API_KEY: "bench",
  AGENT_LANGUAGE: "en-US",
  STT_LANGUAGE: "en-US",
  TTS_VOICE: "en-US-Wavenet-D",
  EOU_SILENCE_MS: String(EOU),
});
const utterance = await espeakMulaw("do you have a plumber available", "en-us");
google.stt.transcripts.push(...Array.from({ length: TURNS }, () => "do you have a plumber available"));

const caller = new SimulatedCaller({ baseUrl: server.url });
await caller.dial();
await caller.connect();
await caller.waitForQuiet(300, 20_000);
const latencies: number[] = [];
for (let i = 0; i < TURNS; i++) {
  const before = caller.frames.length;
  await caller.speak(utterance);
  await caller.waitUntil(() => caller.frames.length > before, 20_000, "reply");
  latencies.push(caller.frames[before]!.at - caller.lastVoicedSentAt);
  await caller.waitForQuiet(400, 30_000);
}
await caller.hangup();
latencies.sort((a, b) => a - b);
printTable(`Voice-to-voice latency, one call, ${TURNS} turns (stand-ins: STT final +${STT_FINAL} ms, LLM ${FIRST_TOKEN} ms + ${PER_TOKEN} ms/token, TTS ${TTS} ms)`, [
  { metric: "p50 ms", value: percentile(latencies, 50), target: `≤ ${target}` },
  { metric: "max ms", value: latencies.at(-1)!, target: `≤ ${target}` },
  { metric: "whole reply generated after ms", value: EOU + FIRST_TOKEN + reply.length * PER_TOKEN + TTS, target: "(for comparison)" },
  { metric: "playback gaps", value: caller.gaps.length, target: "0" },
]);
await server.stop();
llm.stop();
await google.stop();
process.exit(0);
