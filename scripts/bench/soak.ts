/**
 * Soak: N simulated callers dial the real server (a child process) again and again for M minutes — greeting, a few
 * Hebrew turns of real speech (espeak-ng), hang-up, dial again — once with a model that varies its words and once
 * with a model that answers every turn with the same sentence (as real models do: "Sorry, could you say that
 * again?"). Prints per model: calls, turns, turns that got no reply the caller heard, turns the server's watchdog
 * recorded as unanswered, playback gaps, and the server's RSS minute by minute (the median of a reading every 5 s).
 * Targets: zero unanswered turns, zero gaps, RSS growth < 5 % from minute 1 to the end.
 *   bun scripts/bench/soak.ts [callers = 30] [minutes = 10] [varied|repeat|both = both]
 */
import { espeakMulaw } from "../../src/providers/offline/espeak-wasm.ts";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { FakeGoogle } from "../../test/fakes/google.ts";
import { FakeLlm, type LlmTurn } from "../../test/fakes/llm.ts";
import { procStats, startServerProcess } from "./harness.ts";
import { printTable } from "./table.ts";

const CALLERS = Number(process.argv[2] ?? 30);
const MINUTES = Number(process.argv[3] ?? 10);
const WHICH = process.argv[4] ?? "both";
const TURNS_PER_CALL = 3;
/** A turn is unanswered when no agent audio follows the caller's last word within this (ms). */
const REPLY_WITHIN_MS = 10_000;

const SAID = ["אני צריך אינסטלטור למטבח", "קוראים לי דנה", "אני גרה ברמת גן", "התקציב בערך אלפיים שקל", "אפשר לחזור אליי מחר בבוקר", "יש לכם פנוי השבוע"];
const VARIED = [
  "בשמחה, אנחנו עובדים בכל אזור המרכז.",
  "תודה דנה, רשמתי את הפרטים.",
  "טכנאי יכול להגיע כבר מחר בבוקר.",
  "הבנתי, זה בתקציב סביר לעבודה כזו.",
  "מצוין, נחזור אלייך מחר בין תשע לעשר.",
  "יש לנו מקום ביום רביעי אחר הצהריים.",
  "אפשר לשלם באשראי או בהעברה בנקאית.",
];
const REPEATED = "סליחה, אפשר לחזור על זה?";

const utterances = await Promise.all(SAID.map((t) => espeakMulaw(t, "he")));

interface PhaseResult {
  model: string;
  calls: number;
  turns: number;
  unanswered: number;
  watchdog: number;
  gaps: number;
  /** The longest playback gap (ms). */
  longestGapMs: number;
  failedCalls: number;
  /** Median server RSS of each minute (MB): one reading swings with the garbage collector. */
  rss: number[];
}

async function phase(model: "varied" | "repeat"): Promise<PhaseResult> {
  const google = await new FakeGoogle().start();
  google.stt.next = () => SAID[Math.floor(Math.random() * SAID.length)]!;
  google.tts.msPerChar = 40;
  const llm = new FakeLlm().start();
  let n = 0;
  llm.fallback = (): LlmTurn =>
    model === "repeat"
      ? { firstTokenMs: 300, tokens: [REPEATED] }
      : { firstTokenMs: 300, tokenMs: 30, tokens: [VARIED[n++ % VARIED.length]!, " ", VARIED[(n * 3) % VARIED.length]!] };
  let watchdog = 0;
  const server = await startServerProcess(
    { SPEECH_EMULATOR_HOST: google.host, TTS_EMULATOR_HOST: google.host, OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: "soak", LOG_LEVEL: "info" },
    { onLine: (l) => void (l.event === "turn.unanswered" && watchdog++) },
  );
  const result: PhaseResult = { model, calls: 0, turns: 0, unanswered: 0, watchdog: 0, gaps: 0, longestGapMs: 0, failedCalls: 0, rss: [] };
  const started = performance.now();
  const end = started + MINUTES * 60_000;
  let minute: number[] = [];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sampler = setInterval(() => {
    minute.push(procStats(server.pid).rssMb);
    if (minute.length === 12) {
      result.rss.push(median(minute)); // a reading every 5 s, the minute's median
      minute = [];
    }
  }, 5000);

  const callerLoop = async (i: number) => {
    await Bun.sleep((i * 2000) / CALLERS); // callers start over 2 s
    while (performance.now() < end) {
      const caller = new SimulatedCaller({ baseUrl: server.url });
      try {
        await caller.dial();
        await caller.connect();
        await caller.waitForQuiet(400, 20_000);
        for (let t = 0; t < TURNS_PER_CALL && performance.now() < end; t++) {
          await caller.speak(utterances[Math.floor(Math.random() * utterances.length)]!);
          const spoke = caller.lastVoicedSentAt;
          result.turns++;
          const heard = await caller.waitUntil(() => caller.frames.some((f) => f.at > spoke), REPLY_WITHIN_MS, "a reply").then(
            () => true,
            () => false,
          );
          if (!heard) result.unanswered++;
          await caller.waitForQuiet(500, 30_000);
        }
        result.calls++;
      } catch (err) {
        result.failedCalls++;
        if (result.failedCalls <= 3) console.error(`call failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        result.gaps += caller.gaps.length;
        result.longestGapMs = Math.max(result.longestGapMs, ...caller.gaps);
        await caller.hangup().catch(() => {});
      }
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, (_, i) => callerLoop(i)));
  clearInterval(sampler);
  if (minute.length) result.rss.push(median(minute));
  result.watchdog = watchdog;
  await server.stop();
  llm.stop();
  await google.stop();
  return result;
}

const results: PhaseResult[] = [];
for (const model of WHICH === "both" ? (["varied", "repeat"] as const) : [WHICH as "varied" | "repeat"]) {
  const r = await phase(model);
  results.push(r);
  console.log(`${model}: done (${r.calls} calls)`);
}

printTable(`Soak: ${CALLERS} concurrent callers × ${MINUTES} min per model (targets: 0 unanswered, 0 gaps, RSS growth < 5 %)`, results.map((r) => ({
  model: r.model === "varied" ? "varied words" : "repeats itself",
  calls: r.calls,
  "failed calls": r.failedCalls,
  turns: r.turns,
  "turns without a reply": r.unanswered,
  "turn.unanswered (server)": r.watchdog,
  "playback gaps": r.gaps,
  "longest gap ms": r.longestGapMs,
  "RSS min 1 MB": r.rss[0] ?? NaN,
  "RSS last min MB": r.rss.at(-1) ?? NaN,
  "RSS growth %": r.rss.length > 1 ? ((r.rss.at(-1)! - r.rss[0]!) / r.rss[0]!) * 100 : NaN,
})));
for (const r of results)
  printTable(`Server RSS (MB), median of each minute, ${r.model === "varied" ? "varied words" : "repeats itself"}`, [Object.fromEntries(r.rss.map((mb, i) => [`min ${i + 1}`, mb]))]);
process.exit(0);
