/**
 * Failures on the deterministic harness degrade the call and never silence it: a sentence whose TTS fails, TTS that
 * hangs (the watchdog's holding line), the greeting under a failing or hanging TTS, a recording that cannot be
 * written, the CRM failing mid-call, the model failing for one turn (and the breaker trying it again), and models
 * that repeat themselves, say nothing, or only call a tool.
 */
import { describe, expect, test } from "bun:test";
import { createHarness } from "../../support/call-harness.ts";

const unanswered = (h: ReturnType<typeof createHarness>) => h.observer.events.filter((e) => e.event === "turn.unanswered");

describe("speech synthesis", () => {
  test("a sentence whose TTS fails everywhere is lost, not the reply; the caller's history holds only what was said", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ tokens: ["We open at nine. ", "Bring your invoice. ", "Anything else?"] });
    h.llm!.turns.push({ tokens: ["Fine."] });
    const fails = (text: string) => text === "Bring your invoice.";
    h.tts.fail = fails;
    h.offline.fail = fails;
    const call = h.call();
    await call.untilQuiet();
    call.say("when do you open", h.stt);
    await call.answered();
    call.say("thanks", h.stt);
    await call.answered();
    call.hangup();
    const answer = h.observer.turns.filter((t) => t.role === "agent")[1]!;
    expect(answer.text).toBe("We open at nine. Anything else?");
    expect(h.logged("tts.failed")).toHaveLength(1);
    expect(h.llm!.requests.at(-1)!.messages.find((m) => m.role === "assistant" && m.content?.startsWith("We open"))).toEqual({ role: "assistant", content: "We open at nine. Anything else?" });
    expect(unanswered(h)).toHaveLength(0);
  });

  test("Google TTS failing: the offline voice speaks, /readyz says so, and the breaker tries Google again and recovers", async () => {
    const h = createHarness();
    h.tts.fail = () => true;
    const call = h.call();
    await call.untilQuiet();
    expect(h.offline.requests.map((r) => r.text)).toEqual([h.lines.greeting("Dana's Plumbing")]);
    expect(h.readiness.at(-1)).toMatchObject({ component: "tts", status: "err" });
    expect(h.readiness.at(-1)!.reason).toContain("espeak-ng");
    h.tts.fail = () => false;
    await call.run(2000); // past the breaker's cool-down
    call.say("I need a plumber", h.stt);
    await call.answered();
    call.hangup();
    expect(h.tts.requests.at(-1)!.text).toBe("Thank you. What's your name?");
    expect(h.readiness.at(-1)).toMatchObject({ component: "tts", status: "ok" });
  });

  test("every sentence failing: the caller hears that the agent could not answer (offline voice), and the turn is kept as unanswered", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ tokens: ["We open at nine."] });
    const call = h.call();
    await call.untilQuiet();
    h.tts.fail = (t) => t === "We open at nine.";
    h.offline.fail = (t) => t === "We open at nine.";
    call.say("when do you open", h.stt);
    await call.answered();
    call.hangup();
    expect(h.observer.turns.at(-1)).toMatchObject({ role: "agent", text: h.lines.notAnswered });
    expect(unanswered(h)).toEqual([expect.objectContaining({ data: expect.objectContaining({ reason: "nothing could be played", text: "when do you open" }) })]);
    // the turn left no trace in the dialog: the question comes back with the caller's next words
    expect(h.logged("turn.unanswered")).toHaveLength(1);
  });

  test("TTS that hangs: a holding line within the first-token deadline + 3 s, then, still nothing, the agent says it could not answer", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ tokens: ["We open at nine."] });
    const call = h.call();
    await call.untilQuiet();
    h.tts.hang = (t) => t === "We open at nine.";
    h.offline.hang = (t) => t === "We open at nine.";
    call.say("when do you open", h.stt);
    await call.until(() => h.observer.events.some((e) => e.event === "EoU_ms"), 3000, "end of utterance");
    const eouAt = h.clock.now();
    await call.until(() => call.framesAfter(eouAt) > 0, 10_000, "the holding line");
    expect(call.frames.find((f) => f > eouAt)! - eouAt).toBeLessThanOrEqual(4000 + 3000 + 40);
    expect(unanswered(h)).toEqual([expect.objectContaining({ value: 7000, data: expect.objectContaining({ kind: "answer", reason: "no answer audio" }) })]);
    expect(h.logged("turn.unanswered")).toHaveLength(1);
    await call.answered(15_000);
    await call.run(4000);
    call.hangup();
    const agent = h.observer.turns.filter((t) => t.role === "agent").map((t) => t.text);
    expect(agent.slice(1)).toEqual([h.lines.holding, h.lines.notAnswered]);
    expect(h.offline.requests.map((r) => r.text)).toContain(h.lines.holding);
  });

  test("a tool that never returns: the holding line, again at 17 s, then at 24 s the agent says it could not answer", async () => {
    const h = createHarness({ llm: true });
    h.host.saveLead = () => new Promise(() => {}); // a database that never answers
    h.llm!.turns.push({ toolCalls: [{ name: "save_lead", arguments: { name: "Dana" } }] });
    const call = h.call();
    await call.untilQuiet();
    call.say("I'm Dana", h.stt);
    await call.until(() => h.observer.events.some((e) => e.event === "EoU_ms"), 3000, "end of utterance");
    const eouAt = h.clock.now();
    await call.until(() => h.offline.requests.some((r) => r.text === h.lines.notAnswered), 30_000, "the agent gives up");
    expect(h.clock.now() - eouAt).toBeGreaterThanOrEqual(24_000);
    expect(h.clock.now() - eouAt).toBeLessThan(24_000 + 1000);
    await call.untilQuiet();
    call.hangup();
    expect(h.observer.turns.at(-1)).toMatchObject({ role: "agent", text: h.lines.notAnswered });
    // both holding lines were heard, in the answer's turn that was given up
    expect(h.observer.turns.at(-2)).toMatchObject({ role: "agent", text: `${h.lines.holding} ${h.lines.holding}` });
    expect(unanswered(h)).toHaveLength(1);
  });

  test("a holding line, then every sentence of the late answer fails: the caller still hears that the agent could not answer", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ tokens: ["We open at nine."] });
    const call = h.call();
    await call.untilQuiet();
    // Google takes longer than the watchdog's bound, then fails; the offline voice cannot say it either
    h.tts.delayMs = 7500;
    h.tts.fail = (t) => t === "We open at nine.";
    h.offline.fail = (t) => t === "We open at nine.";
    call.say("when do you open", h.stt);
    await call.until(() => h.observer.events.some((e) => e.event === "EoU_ms"), 3000, "end of utterance");
    await call.until(() => h.observer.turns.filter((t) => t.role === "agent").length === 3, 15_000, "the agent's words after the holding line");
    await call.untilQuiet();
    call.hangup();
    const agent = h.observer.turns.filter((t) => t.role === "agent").map((t) => t.text);
    expect(agent.slice(1)).toEqual([h.lines.holding, h.lines.notAnswered]);
    // kept as unanswered once, when the holding line had to be said
    expect(unanswered(h)).toEqual([expect.objectContaining({ data: expect.objectContaining({ kind: "answer", reason: "no answer audio" }) })]);
  });

  test("the greeting under a failing TTS is spoken by the offline voice", async () => {
    const h = createHarness();
    h.tts.fail = () => true;
    const call = h.call();
    await call.untilQuiet();
    call.hangup();
    expect(h.observer.turns).toEqual([expect.objectContaining({ role: "agent", text: h.lines.greeting("Dana's Plumbing") })]);
    expect(call.frames[0]! - 1000).toBeLessThan(100);
  });

  test("the greeting when the offline voice hangs too: one retry, kept once, then the call listens and answers the caller", async () => {
    const h = createHarness();
    h.tts.hang = () => true;
    h.offline.hang = () => true;
    const call = h.call();
    await call.run(10_000);
    expect(call.frames).toHaveLength(0);
    // one try in the offline voice, not one every 1.5 s for the whole call
    expect(h.offline.requests.filter((r) => r.text === h.lines.greeting("Dana's Plumbing"))).toHaveLength(1);
    expect(unanswered(h)).toEqual([expect.objectContaining({ data: expect.objectContaining({ kind: "greeting" }) })]);
    expect(h.logged("turn.unanswered")).toHaveLength(1);
    // the voices come back: the caller who speaks is answered
    h.tts.hang = () => false;
    h.offline.hang = () => false;
    call.say("I need a plumber", h.stt);
    await call.answered(10_000);
    call.hangup();
    expect(h.observer.turns.map((t) => t.role)).toEqual(["caller", "agent"]);
    expect(unanswered(h)).toHaveLength(1);
  });

  test("the greeting under a hanging TTS: the offline voice says it within 1.5 s, the wait is kept as unanswered", async () => {
    const h = createHarness();
    h.tts.hang = () => true;
    const call = h.call();
    await call.until(() => call.frames.length > 0, 3000, "greeting audio");
    expect(call.frames[0]! - 1000).toBeLessThanOrEqual(1500 + 40);
    await call.untilQuiet();
    call.hangup();
    expect(h.observer.turns.map((t) => t.text)).toEqual([h.lines.greeting("Dana's Plumbing")]);
    expect(unanswered(h)).toEqual([expect.objectContaining({ data: expect.objectContaining({ kind: "greeting" }) })]);
  });
});

describe("records", () => {
  test("a recording that cannot be opened: the call goes on, the failure is kept on the call", async () => {
    const h = createHarness();
    h.failRecording();
    const call = h.call();
    await call.untilQuiet();
    call.say("I need a plumber", h.stt);
    await call.answered();
    call.hangup();
    expect(h.observer.recordings).toEqual([]);
    expect(h.observer.events.some((e) => e.event === "call.recording_failed")).toBe(true);
    expect(h.observer.turns).toHaveLength(3);
  });

  test("a recording that fails mid-call (disk full) stops recording, not the call", async () => {
    const h = createHarness();
    h.recording.failAtFrame = 100;
    const call = h.call();
    await call.untilQuiet();
    call.say("I need a plumber", h.stt);
    await call.answered();
    call.hangup();
    expect(h.recording.callerFrames).toBe(100);
    expect(h.recording.closed).toBe(true);
    expect(h.logged("call.recording_failed")).toHaveLength(1);
    expect(h.observer.turns.map((t) => t.role)).toEqual(["agent", "caller", "agent"]);
  });

  test("the CRM failing mid-call (turns, events, the lead): logged, the caller hears nothing of it", async () => {
    const h = createHarness();
    const call = h.call();
    await call.untilQuiet();
    h.observer.failing = new Set(["turn", "event"]);
    h.host.failing = true;
    call.say("I need a plumber", h.stt);
    await call.answered();
    h.observer.failing.clear();
    h.host.failing = false;
    call.say("Dana", h.stt, 500);
    await call.answered();
    call.hangup();
    expect(h.logged("crm.write_failed").length).toBeGreaterThan(0);
    expect(h.logged("call.tool_failed")).toEqual([expect.objectContaining({ method: "saveLead" })]);
    // the call went on: the second answer (the script's next question) was said and kept
    expect(h.observer.turns.at(-1)).toMatchObject({ role: "agent", text: h.lines.askAreaBudget("Dana")[0] });
    expect(h.host.leads).toEqual([{ name: "Dana" }]);
  });
});

describe("the model", () => {
  test("an error answers that turn from the script; the next turn asks the model again and /readyz recovers", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ error: "unavailable" }, { tokens: ["Nice to meet you, Dana."] });
    const call = h.call();
    await call.untilQuiet();
    call.say("I need a painter", h.stt);
    await call.answered();
    expect(h.observer.turns.at(-1)!.text).toBe(`${h.lines.apology} ${h.lines.askName[0]}`);
    expect(h.readiness.at(-1)).toMatchObject({ component: "llm", status: "err" });
    await call.run(1500); // the breaker's first cool-down (1 s)
    call.say("Dana", h.stt, 500);
    await call.answered();
    call.hangup();
    expect(h.observer.turns.at(-1)!.text).toBe("Nice to meet you, Dana.");
    expect(h.llm!.requests).toHaveLength(2);
    expect(h.readiness.at(-1)).toMatchObject({ component: "llm", status: "ok" });
  });

  test("no first token within the deadline: apology and script at the deadline, not silence", async () => {
    const h = createHarness({ llm: true, timing: { firstTokenMs: 1000 } });
    h.llm!.turns.push({ hang: true });
    const call = h.call();
    await call.untilQuiet();
    call.say("hello?", h.stt);
    await call.until(() => h.observer.events.some((e) => e.event === "EoU_ms"), 3000, "end of utterance");
    const eouAt = h.clock.now();
    await call.answered();
    call.hangup();
    expect(call.frames.find((f) => f > eouAt)! - eouAt).toBeLessThan(1300);
    expect(h.observer.turns.at(-1)!.text.startsWith(h.lines.apology)).toBe(true);
    expect(unanswered(h)).toHaveLength(0);
  });

  test("a model that repeats its one-sentence answer, twice in a row and across a barge-in, is heard every time", async () => {
    const again = "Sorry, could you say that again?";
    const h = createHarness({ llm: true });
    h.llm!.fallback = { tokens: [again] };
    const call = h.call();
    await call.untilQuiet();
    for (const text of ["mumble", "mumble mumble"]) {
      call.say(text, h.stt);
      await call.answered();
    }
    // across a barge-in: cut off mid-sentence, then the same sentence again
    call.say("hmm", h.stt);
    await call.until(() => h.observer.events.filter((e) => e.event === "EoU_ms").length === 3, 3000);
    await call.run(1000);
    call.say("what", h.stt, 600);
    await call.answered();
    await call.run(3000);
    call.hangup();
    const answers = h.observer.turns.filter((t) => t.role === "agent").slice(1);
    expect(answers.map((t) => t.text.startsWith("Sorry"))).toEqual([true, true, true, true]);
    expect(answers[2]!.interrupted).toBe(true);
    expect(answers[3]!.text).toBe(again);
    expect(unanswered(h)).toHaveLength(0);
  });

  test("an empty answer and an answer that is only a tool call are still answered", async () => {
    const h = createHarness({ llm: true });
    h.llm!.turns.push({ tokens: [] });
    h.llm!.turns.push({ toolCalls: [{ name: "save_lead", arguments: { name: "Noa" } }] }, { tokens: [] });
    const call = h.call();
    await call.untilQuiet();
    call.say("I need a plumber", h.stt);
    await call.answered();
    call.say("I'm Noa", h.stt);
    await call.answered();
    call.hangup();
    expect(h.observer.turns.filter((t) => t.role === "agent").slice(1).map((t) => t.text)).toEqual([h.lines.askName[0]!, h.lines.noted]);
    expect(h.host.leads).toEqual([{ need: "I need a plumber" }, { name: "Noa" }]);
  });
});
