/** The health breaker every provider sits behind, and the TTS wrapper on top of it. */
import { expect, test } from "bun:test";
import { ProviderError } from "../../../src/providers/errors.ts";
import { GuardedTts } from "../../../src/providers/guarded.ts";
import { ProviderHealth } from "../../../src/providers/health.ts";

function breaker() {
  let now = 0;
  const reports: Array<[string, string | undefined]> = [];
  const health = new ProviderHealth({ component: "tts", report: (s, r) => void reports.push([s, r]), okDetail: "fine", degraded: "calls use espeak-ng", now: () => now });
  return { health, reports, advance: (ms: number) => (now += ms) };
}

const outage = new ProviderError("google-tts", "unavailable", true, "UNAVAILABLE");

test("a failure opens it; after the cool-down one trial goes through at a time; success closes it and reports ok", () => {
  const { health, reports, advance } = breaker();
  health.attempt()!.fail(outage);
  expect(health.state).toBe("open");
  expect(reports).toEqual([["err", "unavailable: google-tts: UNAVAILABLE; calls use espeak-ng"]]);
  expect(health.attempt()).toBeUndefined(); // cooling down: straight to the fallback
  advance(1000);
  const trial = health.attempt()!;
  expect(health.state).toBe("half-open");
  expect(health.attempt()).toBeUndefined(); // one trial at a time
  trial.ok();
  expect(health.state).toBe("closed");
  expect(reports.at(-1)).toEqual(["ok", "fine"]);
  expect(health.attempt()).toBeDefined();
});

test("each failed trial doubles the cool-down, up to 30 s; an abandoned trial is handed back", () => {
  const { health, advance } = breaker();
  health.attempt()!.fail(outage);
  for (const cooldown of [1000, 2000, 4000, 8000, 16000, 30000, 30000]) {
    advance(cooldown - 1);
    expect(health.attempt()).toBeUndefined();
    advance(1);
    health.attempt()!.fail(outage);
  }
  advance(30_000);
  health.attempt()!.abandon(); // e.g. the caller barged in during the trial
  expect(health.attempt()).toBeDefined();
});

test("GuardedTts: the fallback speaks when the primary fails, and alone while the breaker is open", async () => {
  const { health, advance } = breaker();
  const asked: string[] = [];
  let fail = true;
  const primary = { name: "google-tts", synthesize: async (t: string) => (asked.push(`google:${t}`), fail ? Promise.reject(outage) : new Uint8Array(1)) };
  const fallback = { name: "espeak-ng", synthesize: async (t: string) => (asked.push(`espeak:${t}`), new Uint8Array(2)) };
  const tts = new GuardedTts(primary, fallback, health);
  expect((await tts.synthesize("one")).length).toBe(2);
  expect((await tts.synthesize("two")).length).toBe(2);
  fail = false;
  advance(1000);
  expect((await tts.synthesize("three")).length).toBe(1);
  expect(asked).toEqual(["google:one", "espeak:one", "espeak:two", "google:three"]);
});

test("an aborted request is neither a success nor a failure", async () => {
  const { health } = breaker();
  const abort = new AbortController();
  const primary = { name: "google-tts", synthesize: (_t: string, signal?: AbortSignal) => new Promise<Uint8Array>((_, reject) => signal!.addEventListener("abort", () => reject(new Error("aborted")))) };
  const tts = new GuardedTts(primary, { name: "espeak-ng", synthesize: async () => new Uint8Array(2) }, health);
  const pending = tts.synthesize("x", abort.signal);
  abort.abort();
  await expect(pending).rejects.toThrow("aborted");
  expect(health.state).toBe("closed");
});
