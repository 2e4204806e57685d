/** Barge-in on the deterministic harness: short words with pauses, what the dialog remembers, echo and noise. */
import { describe, expect, test } from "bun:test";
import { createHarness, toneMs } from "../../support/call-harness.ts";

/** Caller audio: voiced tone for each positive number of ms, silence for each negative one. */
function pattern(...parts: number[]): Uint8Array {
  return patternAt(5000, ...parts);
}

function patternAt(amplitude: number, ...parts: number[]): Uint8Array {
  const chunks = parts.map((ms) => (ms > 0 ? toneMs(ms, 220, amplitude) : new Uint8Array(Math.round(-ms * 8)).fill(0xff)));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

test("'wait, wait…' — short words with pauses — stops the agent after BARGE_IN_MS of speech, pauses not counted", async () => {
  const h = createHarness({ llm: true });
  const call = h.call();
  await call.run(1000); // the greeting is playing
  const spokeAt = h.clock.now();
  h.stt.transcripts.push("wait wait I have a question");
  call.speak(pattern(140, -160, 140, -120, 600));
  await call.until(() => call.clears.length > 0, 2000, "clear");
  // 140 ms of speech, a 160 ms pause, then 60 ms more: 200 ms of speech, 360 ms after the first word began
  expect(call.clears[0]! - spokeAt).toBeLessThanOrEqual(360 + 40);
  expect(h.observer.events.find((e) => e.event === "BARGE_IN")).toMatchObject({ value: 200, data: { state: "speaking" } });
  await call.answered();
  call.hangup();
  const greeting = h.observer.turns[0]!;
  expect(greeting).toMatchObject({ role: "agent", interrupted: true });
  expect(greeting.heardMs).toBeGreaterThan(900);
  expect(greeting.heardMs).toBeLessThan(1500);
  // the model's history holds the greeting as far as it was heard, then the question
  const asked = h.llm!.requests.at(-1)!.messages.filter((m) => m.role !== "system");
  expect(asked).toEqual([
    { role: "assistant", content: greeting.text },
    { role: "user", content: "wait wait I have a question" },
  ]);
  expect(greeting.text.endsWith("…")).toBe(true);
});

test("a barge-in while THINKING after the model wrote its first sentence (its speech not yet playing) leaves no unheard turn", async () => {
  const h = createHarness({ llm: true });
  h.tts.delayMs = 1500; // the sentence is written at once; its speech takes 1.5 s
  h.llm!.turns.push({ firstTokenMs: 50, tokens: ["We have a table at eight. ", "Shall I book it?"] });
  h.llm!.turns.push({ tokens: ["For two at eight, booked."] });
  const call = h.call();
  await call.untilQuiet(); // the greeting comes from the cache… of the scripted TTS: it plays after 1.5 s
  call.say("I want to book", h.stt, 700);
  await call.until(() => h.observer.events.some((e) => e.event === "EoU_ms"), 3000, "end of utterance");
  await call.run(300); // the model has answered; TTS is still working on it
  expect(h.llm!.requests).toHaveLength(1);
  const before = call.frames.length;
  call.say("a table for two", h.stt, 700); // the caller goes on
  await call.until(() => h.observer.events.some((e) => e.event === "BARGE_IN"), 2000, "barge-in");
  expect(call.frames.length).toBe(before); // nothing of the first answer was played
  await call.answered(10_000);
  call.hangup();
  expect(call.clears).toHaveLength(0);
  // the second request: no assistant turn the caller never heard, and both parts of the question together
  expect(h.llm!.requests.at(-1)!.messages.filter((m) => m.role !== "system")).toEqual([
    { role: "assistant", content: h.lines.greeting("Dana's Plumbing") },
    { role: "user", content: "I want to book a table for two" },
  ]);
  expect(h.observer.turns.filter((t) => t.role === "agent").map((t) => t.text)).toEqual([h.lines.greeting("Dana's Plumbing"), "For two at eight, booked."]);
});

test("a barge-in mid-answer: the model next sees what was heard of it, the transcript marks it interrupted", async () => {
  const h = createHarness({ llm: true });
  h.llm!.turns.push({ tokens: ["We open at nine in the morning. ", "On Fridays we close at two. ", "Is there anything else?"] });
  h.llm!.turns.push({ tokens: ["Sure."] });
  const call = h.call();
  await call.untilQuiet();
  call.say("when do you open", h.stt);
  await call.until(() => h.observer.events.some((e) => e.event === "EoU_ms"), 3000, "end of utterance");
  await call.run(2600); // the first sentence (~1.9 s) has played, the second has begun
  call.say("and on Saturday?", h.stt, 700);
  await call.until(() => call.clears.length > 0, 1000, "clear");
  await call.answered();
  call.hangup();
  const cut = h.observer.turns.find((t) => t.interrupted && t.role === "agent" && t.text.startsWith("We open"))!;
  expect(cut.text.startsWith("We open at nine in the morning. On")).toBe(true);
  expect(cut.text.endsWith("…")).toBe(true);
  const history = h.llm!.requests.at(-1)!.messages.filter((m) => m.role !== "system").slice(1);
  expect(history).toEqual([
    { role: "user", content: "when do you open" },
    { role: "assistant", content: cut.text },
    { role: "user", content: "and on Saturday?" },
  ]);
});

test("a caller at half the agent's level interrupts the greeting in its first second, before the line is known", async () => {
  const h = createHarness();
  const call = h.call();
  await call.run(400);
  const spokeAt = h.clock.now();
  call.speak(patternAt(3000, 600)); // the agent's tone is at 6000
  await call.until(() => call.clears.length > 0, 1000, "clear");
  expect(call.clears[0]! - spokeAt).toBeLessThanOrEqual(240);
  call.hangup();
});

describe("what does not interrupt", () => {
  test("clicks and a cough under 100 ms", async () => {
    const h = createHarness();
    const call = h.call();
    await call.run(400);
    call.speak(pattern(40, -200, 40, -200, 40, -200, 40, -400, 80, -600)); // clicks, then a cough
    await call.untilQuiet();
    call.hangup();
    expect(call.clears).toHaveLength(0);
    expect(h.observer.turns[0]).toMatchObject({ role: "agent", text: h.lines.greeting("Dana's Plumbing") });
    expect(h.observer.turns[0]!.interrupted).toBeUndefined();
  });

  test("steady line noise and the residual echo of the agent's own voice, over a long reply; the caller still can", async () => {
    // −38 dBFS of noise (RMS 400: above the VAD's absolute minimum of 160, so only its noise floor keeps it from
    // counting as speech); the agent's audio comes back 25 dB down, 180 ms later
    const h = createHarness({ llm: true, line: { noiseRms: 400, echoGain: 0.056, echoDelayMs: 180 } });
    const long = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1} of a long answer. `);
    h.llm!.turns.push({ tokens: long });
    const call = h.call();
    await call.untilQuiet();
    call.say("tell me everything", h.stt);
    await call.answered(120_000); // ~30 s of agent speech with its echo on the line
    expect(call.clears).toHaveLength(0);
    expect(h.observer.events.filter((e) => e.event === "BARGE_IN")).toHaveLength(0);
    expect(h.observer.turns.at(-1)!.text).toBe(long.join("").trim());
    // the same line, and a caller who does interrupt
    h.llm!.turns.push({ tokens: long });
    const eous = h.observer.events.filter((e) => e.event === "EoU_ms").length;
    call.say("tell me again", h.stt);
    await call.until(() => h.observer.events.filter((e) => e.event === "EoU_ms").length > eous, 5000, "the second end of utterance");
    const askedAt = h.clock.now();
    await call.until(() => call.framesAfter(askedAt) > 0, 5000, "the second long reply");
    await call.run(4000); // 4 s into it
    const at = h.clock.now();
    call.say("stop please", h.stt, 600);
    await call.until(() => call.clears.length > 0, 1000, "clear");
    expect(call.clears[0]! - at).toBeLessThanOrEqual(260);
    call.hangup();
  });
});
