/**
 * Review finding (issue 12, "every utterance gets an answer the caller hears"): a noise while THINKING — a cough,
 * a door, a word the recognizer makes nothing of — counts as a barge-in (≥ BARGE_IN_MS of voiced frames), stops the
 * reply being prepared, carries the caller's utterance over and disarms the watchdog. When that noise never becomes
 * a transcript, the turn-taker drops it as noise and nobody answers the carried utterance: the caller hears silence
 * until they speak again, and no `turn.unanswered` is kept.
 */
import { expect, test } from "bun:test";
import { createHarness } from "../support/call-harness.ts";

test("a noise with no words while the model is thinking does not leave the caller's utterance unanswered", async () => {
  const h = createHarness({ llm: true });
  h.llm!.turns.push({ firstTokenMs: 1500, tokens: ["We have a table at eight."] });
  const call = h.call();
  await call.untilQuiet();
  call.say("I want to book", h.stt, 700);
  await call.until(() => h.observer.events.some((e) => e.event === "EoU_ms"), 3000, "end of utterance");
  const eouAt = h.clock.now();
  await call.run(300); // the model is thinking
  call.say("", h.stt, 300); // 300 ms of noise the recognizer hears no words in
  await call.until(() => h.observer.events.some((e) => e.event === "BARGE_IN"), 2000, "barge-in");
  // the watchdog's bound: first-token deadline (4 s) + 3 s after end of utterance, with some slack
  await call.run(4000 + 3000 + 2000 - (h.clock.now() - eouAt));
  const agentFrames = call.framesAfter(eouAt);
  call.hangup();
  expect(agentFrames).toBeGreaterThan(0);
});

/**
 * The same hole while SPEAKING: a wordless noise (≥ BARGE_IN_MS of voiced frames) over the greeting cuts it at
 * "Hello, you've…" and the agent never speaks again until the caller does — the caller has not even heard whom they
 * called. A barge-in that produces no transcript is a false interruption: the reply (here the greeting) should be
 * resumed or said again.
 */
test("a wordless noise over the greeting: the caller still hears the greeting", async () => {
  const h = createHarness({ llm: true });
  const call = h.call();
  await call.run(600); // the greeting is playing
  call.say("", h.stt, 300);
  await call.until(() => h.observer.events.some((e) => e.event === "BARGE_IN"), 2000, "barge-in");
  const at = h.clock.now();
  await call.run(10_000);
  const agentFrames = call.framesAfter(at);
  call.hangup();
  expect(agentFrames).toBeGreaterThan(0);
});
