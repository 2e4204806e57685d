/** Tools and telephony on the deterministic harness: callbacks, transfer (and a failed one), tool arguments, hang-up. */
import { expect, test } from "bun:test";
import { createHarness } from "../../support/call-harness.ts";

test("schedule_callback from the model creates the callback with the caller's words; the model is told", async () => {
  const h = createHarness({ llm: true });
  h.llm!.turns.push({ toolCalls: [{ name: "schedule_callback", arguments: { when: "tomorrow at ten", notes: "kitchen sink" } }] });
  h.llm!.turns.push({ tokens: ["We'll call you tomorrow at ten."] });
  const call = h.call();
  await call.untilQuiet();
  call.say("call me tomorrow at ten about the sink", h.stt);
  await call.answered();
  call.hangup();
  expect(h.host.callbacks).toEqual([{ when: "tomorrow at ten", notes: "kitchen sink" }]);
  expect(h.llm!.requests.at(-1)!.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "call_0", content: "scheduled" });
  expect(h.observer.turns.at(-1)!.text).toBe("We'll call you tomorrow at ten.");
});

test("malformed tool arguments, a missing field and an unknown tool: the model hears the errors, the call goes on", async () => {
  const h = createHarness({ llm: true });
  h.llm!.turns.push({
    toolCalls: [
      { name: "save_lead", arguments: '{"name": "Dana", ' },
      { name: "schedule_callback", arguments: { notes: "no time given" } },
      { name: "book_flight", arguments: { to: "Eilat" } },
    ],
  });
  h.llm!.turns.push({ tokens: ["When should we call you back?"] });
  const call = h.call();
  await call.untilQuiet();
  call.say("call me back", h.stt);
  await call.answered();
  call.hangup();
  expect(h.host.leads).toEqual([]);
  expect(h.host.callbacks).toEqual([]);
  const results = h.llm!.requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => m.content);
  expect(results).toEqual(["error: arguments are not valid JSON", "error: when: Invalid input: expected string, received undefined", "error: unknown tool book_flight"]);
  expect(h.observer.turns.at(-1)!.text).toBe("When should we call you back?");
});

test("transfer_to_human: the agent finishes its sentence, then Twilio redirects the call", async () => {
  const h = createHarness({ llm: true });
  h.telephony.canTransfer = true;
  h.llm!.turns.push({ tokens: ["Connecting you now."], toolCalls: [{ name: "transfer_to_human", arguments: {} }] });
  const call = h.call();
  await call.untilQuiet();
  call.say("I want a person", h.stt);
  await call.until(() => h.telephony.transfers.length > 0, 10_000, "the transfer");
  // only after the sentence was played (its mark echoed)
  expect(h.observer.turns.at(-1)).toMatchObject({ role: "agent", text: "Connecting you now." });
  call.hangup();
  expect(h.observer.ends[0]!.outcome).toBe("transferred");
  expect(h.llm!.requests[0]!.messages.length).toBeGreaterThan(0);
});

test("transfer_to_human with no one to transfer to: the model is told, and offers a call back", async () => {
  const h = createHarness({ llm: true });
  h.llm!.turns.push({ toolCalls: [{ name: "transfer_to_human", arguments: {} }] }, { tokens: ["Nobody is free, shall we call you back?"] });
  const call = h.call();
  await call.untilQuiet();
  call.say("I want a person", h.stt);
  await call.answered();
  call.hangup();
  expect(h.telephony.transfers).toEqual([]);
  expect(h.llm!.requests.at(-1)!.messages.at(-1)).toMatchObject({ role: "tool", content: "no one is available; offer a call back instead" });
});

test("a transfer Twilio refuses: the caller is told and the conversation goes on", async () => {
  const h = createHarness();
  h.telephony.canTransfer = true;
  h.telephony.transferWorks = false;
  const call = h.call();
  await call.untilQuiet();
  call.say("I want to speak to a human", h.stt);
  await call.until(() => h.telephony.transfers.length > 0, 10_000, "the transfer");
  await call.answered();
  call.say("I need a plumber", h.stt);
  await call.answered();
  call.hangup();
  const agent = h.observer.turns.filter((t) => t.role === "agent").map((t) => t.text);
  expect(agent.slice(1)).toEqual([h.lines.transferring, h.lines.noTransfer, h.lines.askName[0]!]);
  expect(h.observer.events.some((e) => e.event === "call.transfer_failed")).toBe(true);
  expect(h.observer.ends[0]!.outcome).toBe("transfer_failed");
});

test("DTMF 0 transfers when it can; otherwise it is only noted", async () => {
  const h = createHarness();
  const call = h.call();
  await call.run(1000);
  call.session.dtmf("0");
  await call.run(200);
  expect(call.clears).toHaveLength(0); // no transfer number: nothing happens
  h.telephony.canTransfer = true;
  call.session.dtmf("0");
  await call.until(() => h.telephony.transfers.length > 0, 10_000, "the transfer");
  call.hangup();
  expect(call.clears).toHaveLength(1);
  expect(h.observer.turns.at(-1)!.text).toBe(h.lines.transferring);
  expect(h.observer.events.filter((e) => e.event === "call.dtmf")).toHaveLength(2);
});

test("end_call: with Twilio credentials the call is completed through the REST API; without, the stream is closed", async () => {
  for (const hangupWorks of [true, false]) {
    const h = createHarness({ llm: true });
    h.telephony.hangupWorks = hangupWorks;
    h.llm!.turns.push({ tokens: ["Goodbye!"], toolCalls: [{ name: "end_call", arguments: {} }] });
    const call = h.call();
    await call.untilQuiet();
    call.say("that's all, bye", h.stt);
    await call.until(() => h.telephony.hangups.length > 0, 10_000, "the hang-up");
    await call.run(100);
    expect(call.closedWith).toBe(hangupWorks ? undefined : "hung_up");
    call.hangup();
    expect(h.observer.turns.at(-1)!.text).toBe("Goodbye!");
    expect(h.observer.ends[0]!.outcome).toBe("hung_up");
  }
});
