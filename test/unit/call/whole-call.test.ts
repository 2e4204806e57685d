/** Whole calls on the deterministic harness: greeting, turns, duplicate finals, typed turns, no caller ID. */
import { describe, expect, test } from "bun:test";
import { createHarness } from "../../support/call-harness.ts";

test("a call runs in milliseconds: greeting, an utterance answered by the script, everything recorded", async () => {
  const h = createHarness();
  const t0 = performance.now();
  const call = h.call({ from: "+972501234567" });
  await call.untilQuiet();
  expect(call.frames[0]! - 1000).toBeLessThanOrEqual(40); // the greeting starts at once
  call.say("I need a plumber", h.stt);
  await call.answered();
  call.hangup();
  expect(performance.now() - t0).toBeLessThan(2000); // ~10 s of call time
  expect(h.observer.turns.map((t) => [t.role, t.text])).toEqual([
    ["agent", h.lines.greeting("Dana's Plumbing")],
    ["caller", "I need a plumber"],
    ["agent", "Thank you. What's your name?"],
  ]);
  const answer = h.observer.turns[2]!;
  expect(answer.interrupted).toBeUndefined();
  // latency: the caller's last voiced frame → the first answer frame; at least the 500 ms of silence
  expect(answer.latencyMs).toBeGreaterThanOrEqual(500);
  expect(answer.latencyMs).toBeLessThan(600);
  expect(h.host.leads).toEqual([{ need: "I need a plumber" }]);
  const eou = h.observer.events.filter((e) => e.event === "EoU_ms");
  expect(eou).toHaveLength(1);
  expect(eou[0]!.value).toBeGreaterThanOrEqual(500);
  expect(h.observer.starts).toEqual([{ callSid: "CAharness", mode: "conversation", from: "+972501234567" }]);
  expect(h.observer.ends).toEqual([{ callSid: "CAharness", outcome: "caller_hung_up" }]);
  expect(h.recording.closed).toBe(true);
  expect(h.recording.agentFrames).toBe(call.frames.length);
});

test("the same call runs the same way twice", async () => {
  const run = async () => {
    const h = createHarness();
    const call = h.call();
    await call.untilQuiet();
    call.say("I need a plumber", h.stt);
    await call.answered();
    call.say("Dana", h.stt, 500);
    await call.answered();
    call.hangup();
    return { frames: call.frames, marks: call.marks, turns: h.observer.turns.map((t) => [t.role, t.text, t.latencyMs, t.heardMs]) };
  };
  expect(await run()).toEqual(await run());
});

test("a final sent twice is answered once; both finals are kept on the call", async () => {
  const h = createHarness();
  h.stt.duplicateFinals = true;
  const call = h.call();
  await call.untilQuiet();
  call.say("what are your opening hours", h.stt);
  await call.answered();
  await call.run(3000);
  call.hangup();
  expect(h.observer.events.filter((e) => e.event === "STT_FINAL")).toHaveLength(2);
  expect(h.observer.turns.map((t) => t.role)).toEqual(["agent", "caller", "agent"]);
  expect(h.observer.events.filter((e) => e.event === "EoU_ms")).toHaveLength(1);
});

test("a caller with no caller ID gets the same call; the lead is still saved", async () => {
  const h = createHarness();
  const call = h.call({ from: undefined });
  await call.untilQuiet();
  call.say("I need an electrician", h.stt);
  await call.answered();
  call.hangup();
  expect(h.observer.starts[0]!.from).toBeUndefined();
  expect(h.host.leads).toEqual([{ need: "I need an electrician" }]);
  expect(h.observer.turns.at(-1)!.role).toBe("agent");
});

describe("typed turns (the admin app's test call)", () => {
  test("typed text is answered once and recorded as the caller's turn", async () => {
    const h = createHarness();
    const call = h.call();
    await call.untilQuiet();
    expect(call.session.typed("I need a gardener")).toBe(true);
    await call.answered();
    await call.run(2000);
    call.hangup();
    expect(h.observer.turns.map((t) => [t.role, t.text])).toEqual([
      ["agent", h.lines.greeting("Dana's Plumbing")],
      ["caller", "I need a gardener"],
      ["agent", "Thank you. What's your name?"],
    ]);
    expect(h.host.leads).toEqual([{ need: "I need a gardener" }]);
  });

  test("a typed turn's reply latency counts from the typing, not from the caller's last sound", async () => {
    const h = createHarness();
    const call = h.call();
    await call.untilQuiet();
    await call.run(3000); // a long silence: nothing voiced since the call began
    const typedAt = h.clock.now();
    call.session.typed("I need a gardener");
    await call.answered();
    const answeredAt = h.clock.now();
    call.hangup();
    const reply = h.observer.turns.find((t) => t.role === "agent" && t.text === "Thank you. What's your name?")!;
    expect(reply.latencyMs).toBeGreaterThanOrEqual(0);
    expect(reply.latencyMs!).toBeLessThanOrEqual(answeredAt - typedAt);
  });

  test("typed over the agent interrupts it, like speech would", async () => {
    const h = createHarness();
    const call = h.call();
    await call.run(1000); // the greeting is playing
    call.session.typed("I need a gardener");
    await call.answered();
    call.hangup();
    expect(call.clears).toHaveLength(1);
    expect(h.observer.turns[0]).toMatchObject({ role: "agent", interrupted: true });
    expect(h.observer.turns.slice(1).map((t) => [t.role, t.text])).toEqual([
      ["caller", "I need a gardener"],
      ["agent", "Thank you. What's your name?"],
    ]);
  });

  test("typed while the caller is still speaking: the speech and the text get one answer, not two", async () => {
    const h = createHarness({ llm: true });
    h.llm!.fallback = { firstTokenMs: 300, tokens: ["A plumber, sure."] };
    const call = h.call();
    await call.untilQuiet();
    call.say("I need", h.stt, 600);
    await call.run(400); // speaking; no final yet
    call.session.typed("a plumber");
    await call.answered();
    await call.run(3000);
    call.hangup();
    expect(h.observer.turns.filter((t) => t.role === "agent").map((t) => t.text)).toEqual([h.lines.greeting("Dana's Plumbing"), "A plumber, sure."]);
    // the speech that went on after the text is part of the same turn: the answer heard is to both
    expect(h.llm!.requests.at(-1)!.messages.filter((m) => m.role === "user")).toEqual([{ role: "user", content: "a plumber I need" }]);
  });

  test("nothing is entered into an ended call or a voicemail", async () => {
    const h = createHarness({ stt: false });
    const call = h.call();
    expect(call.session.typed("hello")).toBe(false);
    call.hangup();
    const h2 = createHarness();
    const call2 = h2.call();
    call2.hangup();
    expect(call2.session.typed("hello")).toBe(false);
    expect(call2.session.typed("   ")).toBe(false);
  });
});

