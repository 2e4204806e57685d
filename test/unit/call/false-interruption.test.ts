/**
 * A barge-in whose speech brings no words — a cough, a door, a word the recognizer makes nothing of — is a false
 * interruption: the agent goes on (the greeting again, a reply from the sentence cut off), and words carried over
 * from a THINKING barge-in are still answered, under the watchdog. Real barge-ins (with words) are in
 * interruption.test.ts and are unchanged.
 */
import { describe, expect, test } from "bun:test";
import { sleep } from "../../../src/clock.ts";
import { createHarness } from "../../support/call-harness.ts";

const events = (h: ReturnType<typeof createHarness>, name: string) => h.observer.events.filter((e) => e.event === name);

describe("a wordless noise while the model is THINKING", () => {
  test("the caller's utterance is still answered, once, and the noise is kept as a false interruption", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ firstTokenMs: 1500, tokens: ["We have a table at eight."] });
    h.llm!.turns.push({ tokens: ["We have a table at eight, shall I book it?"] });
    const call = h.call();
    await call.untilQuiet();
    call.say("I want to book", h.stt, 700);
    await call.until(() => events(h, "EoU_ms").length > 0, 3000, "end of utterance");
    const eouAt = h.clock.now();
    await call.run(300); // the model is thinking
    call.say("", h.stt, 300); // 300 ms of noise the recognizer hears no words in
    await call.until(() => events(h, "BARGE_IN").length > 0, 2000, "barge-in");
    // within the watchdog's bound: first-token deadline (4 s) + 3 s after end of utterance
    await call.until(() => call.framesAfter(eouAt) > 0, 4000 + 3000, "the answer");
    await call.untilQuiet();
    call.hangup();
    expect(events(h, "barge_in.false")).toEqual([expect.objectContaining({ data: expect.objectContaining({ state: "thinking", resumed: "carried" }) })]);
    expect(events(h, "turn.unanswered")).toHaveLength(0);
    // asked again with the same words; the caller's turn is in the transcript once
    expect(h.llm!.requests).toHaveLength(2);
    expect(h.llm!.requests[1]!.messages.filter((m) => m.role === "user")).toEqual([{ role: "user", content: "I want to book" }]);
    expect(h.observer.turns.filter((t) => t.role === "caller").map((t) => t.text)).toEqual(["I want to book"]);
    expect(h.observer.turns.at(-1)).toMatchObject({ role: "agent", text: "We have a table at eight, shall I book it?" });
    expect(events(h, "EoU_ms")).toHaveLength(1);
  });

  test("the carried words are under the watchdog again: an answer that cannot be spoken still gets the holding line", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ firstTokenMs: 1500, tokens: ["We have a table at eight."] });
    h.llm!.turns.push({ tokens: ["Eight o'clock is free."] });
    const call = h.call();
    await call.untilQuiet();
    h.tts.hang = (t) => t === "Eight o'clock is free.";
    h.offline.hang = (t) => t === "Eight o'clock is free.";
    call.say("I want to book", h.stt, 700);
    await call.until(() => events(h, "EoU_ms").length > 0, 3000, "end of utterance");
    await call.run(300);
    call.say("", h.stt, 300);
    await call.until(() => events(h, "barge_in.false").length > 0, 3000, "the false interruption");
    const resumedAt = h.clock.now();
    await call.until(() => events(h, "turn.unanswered").length > 0, 4000 + 3000 + 100, "the watchdog");
    expect(events(h, "turn.unanswered")[0]).toMatchObject({ data: expect.objectContaining({ kind: "answer", text: "I want to book" }) });
    await call.until(() => call.framesAfter(resumedAt) > 0, 2000, "the holding line");
    await call.answered(15_000);
    call.hangup();
    expect(h.observer.turns.filter((t) => t.role === "agent").map((t) => t.text).slice(1)).toEqual([h.lines.holding, h.lines.notAnswered]);
  });
});

describe("a wordless noise while the agent is SPEAKING", () => {
  test("over the holding line, before any of the answer was made: the caller's words are still answered", async () => {
    const h = createHarness({ llm: true });
    h.host.saveLead = (lead) => sleep(h.clock, 6000).then(() => void h.host.leads.push(lead)); // a slow database
    h.llm!.turns.push({ firstTokenMs: 2000, toolCalls: [{ name: "save_lead", arguments: { name: "Dana" } }] });
    h.llm!.turns.push({ tokens: ["Thanks Dana, noted."] });
    const call = h.call();
    await call.untilQuiet();
    call.say("I'm Dana", h.stt);
    await call.until(() => events(h, "turn.unanswered").length > 0, 10_000, "the holding line");
    await call.run(300);
    call.say("", h.stt, 300); // a noise over the holding line
    await call.until(() => events(h, "barge_in.false").length > 0, 3000, "the false interruption");
    await call.until(() => h.observer.turns.some((t) => t.text === "Thanks Dana, noted."), 10_000, "the answer");
    call.hangup();
    expect(events(h, "barge_in.false")[0]).toMatchObject({ data: { state: "speaking", resumed: "answer" } });
    expect(h.llm!.requests.at(-1)!.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(["I'm Dana"]);
    expect(h.observer.turns.filter((t) => t.role === "caller").map((t) => t.text)).toEqual(["I'm Dana"]);
  });


  test("over the greeting: the caller hears the greeting again, in full", async () => {
    const h = createHarness({ llm: true });
    const call = h.call();
    await call.run(1200); // the greeting is playing
    call.say("", h.stt, 300);
    await call.until(() => call.clears.length > 0, 2000, "the greeting cut");
    const cutAt = h.clock.now();
    await call.until(() => call.framesAfter(cutAt) > 0, 500 + 300 + 400, "the greeting again");
    await call.untilQuiet();
    call.hangup();
    const greeting = h.lines.greeting("Dana's Plumbing");
    const agent = h.observer.turns.filter((t) => t.role === "agent");
    expect(agent[0]).toMatchObject({ interrupted: true });
    expect(agent.at(-1)).toMatchObject({ text: greeting });
    expect(agent.at(-1)!.interrupted).toBeUndefined();
    expect(events(h, "barge_in.false")).toEqual([expect.objectContaining({ data: expect.objectContaining({ state: "speaking", resumed: "greeting" }) })]);
    expect(events(h, "BARGE_IN")).toHaveLength(1);
  });

  test("mid-answer: the agent goes on from the sentence cut off, and the model's history holds all it heard", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ tokens: ["We open at nine in the morning. ", "On Fridays we close at two. ", "Is there anything else?"] });
    h.llm!.turns.push({ tokens: ["You're welcome."] });
    const call = h.call();
    await call.untilQuiet();
    call.say("when do you open", h.stt);
    await call.until(() => events(h, "EoU_ms").length > 0, 3000, "end of utterance");
    await call.run(2600); // the first sentence (~1.9 s) has played, the second has begun
    call.say("", h.stt, 300);
    await call.until(() => call.clears.length > 0, 1000, "clear");
    await call.until(() => events(h, "barge_in.false").length > 0, 2000, "the false interruption");
    await call.untilQuiet();
    const agent = h.observer.turns.filter((t) => t.role === "agent");
    const cut = agent.at(-2)!;
    expect(cut.interrupted).toBe(true);
    expect(cut.text.startsWith("We open at nine in the morning. On")).toBe(true);
    expect(agent.at(-1)).toMatchObject({ text: "On Fridays we close at two. Is there anything else?" });
    call.say("thanks", h.stt);
    await call.answered();
    call.hangup();
    expect(h.llm!.requests.at(-1)!.messages.filter((m) => m.role !== "system").slice(1)).toEqual([
      { role: "user", content: "when do you open" },
      { role: "assistant", content: cut.text },
      { role: "assistant", content: "On Fridays we close at two. Is there anything else?" },
      { role: "user", content: "thanks" },
    ]);
  });

  test("a goodbye cut by a noise is said again, and the call still ends after it", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ tokens: ["Thank you for calling, goodbye."], toolCalls: [{ name: "end_call", arguments: {} }] });
    const call = h.call();
    await call.untilQuiet();
    call.say("that's all", h.stt);
    await call.until(() => events(h, "EoU_ms").length > 0, 3000, "end of utterance");
    const eouAt = h.clock.now();
    await call.until(() => call.framesAfter(eouAt) > 0, 3000, "the goodbye");
    await call.run(600);
    call.say("", h.stt, 300);
    await call.until(() => call.clears.length > 0, 1000, "clear");
    await call.until(() => call.closedWith !== undefined, 10_000, "the hang-up");
    const agent = h.observer.turns.filter((t) => t.role === "agent");
    expect(agent.at(-2)).toMatchObject({ interrupted: true });
    expect(agent.at(-1)).toMatchObject({ text: "Thank you for calling, goodbye." });
    expect(agent.at(-1)!.interrupted).toBeUndefined();
    expect(call.closedWith).toBe("hung_up");
  });
});
