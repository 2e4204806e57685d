/**
 * send_whatsapp from a call, and the scripted dialog's "send me the details on WhatsApp": the success and every
 * refusal — hidden caller ID, no channel, Twilio's 24-hour window, not on WhatsApp, malformed arguments, a speculative
 * answer, a slow Twilio, the per-call limit — and what the model is told each time.
 */
import { expect, test } from "bun:test";
import { MAX_SENDS_PER_CALL, TOOL_WAIT_MS } from "../../../src/compose/call-tools.ts";
import { toneMs } from "../../support/call-harness.ts";
import {
  agentSaid,
  CALLER,
  callEvents,
  callWithTools,
  contactOf,
  FROM,
  h,
  LINKS_ON,
  outbound,
  paymentsOf,
  place,
  refusal63016,
  rest,
  services,
  setup,
  turnWithTools,
  useCallToolsFixture,
} from "../../support/call-tools-fixture.ts";
import { until } from "../../support/wait.ts";

useCallToolsFixture();

// ── send_whatsapp ───────────────────────────────────────────────────────────────────────────────────────────────

test("send_whatsapp: the message goes to the caller's own number through Twilio, is kept as outbound in the inbox, and the model hears 'sent'", async () => {
  setup({ llm: true });
  const text = "Dana's Plumbing: Herzl 10, Haifa. Open Sun-Thu 8:00-18:00.";
  const results = await callWithTools("CAwaSent", CALLER, [{ name: "send_whatsapp", arguments: { text } }], "I've sent it to your WhatsApp.");
  expect(results).toEqual(["sent: the caller will get it on WhatsApp"]);
  expect(rest.messages).toHaveLength(1);
  expect(rest.messages[0]!.form).toMatchObject({ From: FROM, To: `whatsapp:${CALLER}`, Body: text, StatusCallback: "https://agent.example.com/webhook/whatsapp/status" });
  expect(outbound("CAwaSent")).toEqual([expect.objectContaining({ direction: "out", channel: "twilio", status: "sent", text, providerId: expect.stringMatching(/^SM/) })]);
  expect(callEvents("CAwaSent", "call.whatsapp")).toEqual([{ sent: true, messageId: outbound("CAwaSent")[0]!.id }]);
  expect(agentSaid("CAwaSent").at(-1)).toBe("I've sent it to your WhatsApp.");
  // offered with guidance that forbids claiming a send, and the business's details to send
  const first = h.llm!.requests[0]!;
  expect(first.tools!.map((t) => t.function.name)).toContain("send_whatsapp");
  expect(first.messages[0]!.content).toContain("never say a message was sent unless it answered 'sent'");
  expect(first.messages[0]!.content).toContain("Dana's Plumbing\nHours: Sun-Thu 8:00-18:00\nServices: Leaks, boilers");
});

test("send_whatsapp cannot address anyone but the caller, and its arguments are checked", async () => {
  setup({ llm: true });
  const results = await callWithTools("CAwaArgs", CALLER, [
    { name: "send_whatsapp", arguments: { text: "hi", to: "+972509999999" } },
    { name: "send_whatsapp", arguments: { text: "   " } },
    { name: "send_whatsapp", arguments: { text: "x".repeat(1001) } },
    { name: "send_whatsapp", arguments: '{"text": "unfinished' },
  ]);
  expect(results).toEqual([
    "error: only `text`: the message always goes to the caller's own number",
    "error: text: `text` is required",
    "error: text: at most 1000 characters",
    "error: arguments are not valid JSON",
  ]);
  expect(rest.messages).toEqual([]);
  expect(outbound("CAwaArgs")).toEqual([]);
});

test("a hidden caller ID (none, or Twilio's 'anonymous' numbers): nothing is sent, the model is told why", async () => {
  setup({ llm: true });
  for (const [sid, from] of [["CAhidden1", undefined], ["CAhidden2", "+266696687"], ["CAhidden3", "anonymous"]] as const) {
    const results = await callWithTools(sid, from, [{ name: "send_whatsapp", arguments: { text: "our address" } }]);
    expect(results).toHaveLength(1);
    expect(results[0]).toStartWith("not sent: the caller's number is hidden, so nothing can be sent to them. Do not tell the caller it was sent.");
    expect(callEvents(sid, "call.whatsapp")).toEqual([{ sent: false, why: "no_number" }]);
  }
  expect(rest.messages).toEqual([]);
});

test("no WhatsApp channel (no linked phone, no Twilio sender): not sent, and the model offers something else", async () => {
  setup({ llm: true, whatsapp: false });
  const results = await callWithTools("CAnoChannel", CALLER, [{ name: "send_whatsapp", arguments: { text: "our address" } }], "I can tell you the address now.");
  expect(results).toEqual(["not sent: WhatsApp is not available right now. Do not tell the caller it was sent. Offer to tell them the details now instead."]);
  expect(rest.messages).toEqual([]);
  expect(callEvents("CAnoChannel", "call.whatsapp")[0]).toMatchObject({ sent: false, why: "no_channel", detail: expect.stringContaining("TWILIO_WHATSAPP_FROM") });
});

test("outside Twilio's 24-hour window (63016): not sent, kept as failed in the inbox, the model may ask the caller to write first", async () => {
  setup({ llm: true });
  rest.messageReply = refusal63016;
  const results = await callWithTools("CAwindow", CALLER, [{ name: "send_whatsapp", arguments: { text: "our address" } }]);
  expect(results).toEqual([
    "not sent: WhatsApp lets the business write first only to people who wrote to it in the last 24 hours. Do not tell the caller it was sent. Offer to tell them the details now instead. Or ask them to send the business any WhatsApp message, then try once more.",
  ]);
  expect(outbound("CAwindow")).toEqual([expect.objectContaining({ status: "failed", errorCode: "63016", text: "our address" })]);
  expect(callEvents("CAwindow", "call.whatsapp")[0]).toMatchObject({ sent: false, why: "window" });
});

test("a number that is not on WhatsApp (63003): not sent, the model is told so", async () => {
  setup({ llm: true });
  rest.messageReply = () => ({ status: 400, body: { code: 63003, message: "Channel could not find To address" } });
  const results = await callWithTools("CAnotWa", CALLER, [{ name: "send_whatsapp", arguments: { text: "our address" } }]);
  expect(results[0]).toStartWith("not sent: the caller's number cannot receive WhatsApp messages.");
});

test("a speculative answer that calls send_whatsapp sends nothing when the caller goes on: it waits for the turn to be theirs", async () => {
  setup({ llm: true });
  h.llm!.turns.push({ toolCalls: [{ name: "send_whatsapp", arguments: { text: "our address" } }] }, { tokens: ["Alright, I won't send anything."] });
  const call = place("CAspeculative", CALLER);
  await call.untilQuiet();
  h.stt.transcripts.push("send me the address", "actually no, never mind");
  // a pause long enough for a final transcript (250 ms) and the speculative answer, too short for end of utterance
  const pause = new Uint8Array(8 * 360).fill(0xff);
  call.speak(new Uint8Array([...toneMs(800, 220, 5000), ...pause, ...toneMs(700, 220, 5000)]));
  await call.until(() => h.llm!.requests.length >= 1, 10_000, "the speculative request");
  await call.answered();
  call.hangup();
  expect(h.llm!.requests[0]!.messages.at(-1)).toEqual({ role: "user", content: "send me the address" });
  expect(h.llm!.requests.at(-1)!.messages.filter((m) => m.role === "user").at(-1)).toEqual({ role: "user", content: "send me the address actually no, never mind" });
  expect(h.llm!.requests.at(-1)!.messages.some((m) => m.role === "tool")).toBe(false);
  expect(rest.messages).toEqual([]);
  expect(callEvents("CAspeculative", "call.whatsapp")).toEqual([]);
  expect(agentSaid("CAspeculative").at(-1)).toBe("Alright, I won't send anything.");
});

test(`Twilio slow to answer: after ${TOOL_WAIT_MS / 1000} s of the call the model hears 'not confirmed yet'; the message is recorded as sent when Twilio answers`, async () => {
  setup({ llm: true, settings: LINKS_ON });
  let release = () => {};
  rest.holdMessages = new Promise<void>((r) => (release = r));
  h.llm!.turns.push({ toolCalls: [{ name: "send_whatsapp", arguments: { text: "our address" } }, { name: "send_payment_link", arguments: { amount: 80, description: "Deposit" } }] }, { tokens: ["Done."] });
  const call = place("CAslow", CALLER);
  await call.untilQuiet();
  call.say("send me the address and the link", h.stt);
  await call.until(() => rest.messages.length === 1, 10_000, "the first send, held by Twilio");
  // the call's time runs on: each tool gives up waiting after TOOL_WAIT_MS
  await call.until(() => h.llm!.requests.length === 2, 4 * TOOL_WAIT_MS, "the model asked again");
  await call.answered();
  call.hangup();
  const results = h.llm!.requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => m.content);
  expect(results).toEqual([
    "not confirmed yet: the message was handed to WhatsApp but not confirmed. Say it should arrive shortly; do not promise it.",
    "not confirmed yet: the link is being created and sent but was not confirmed in time. Say it should arrive shortly on WhatsApp; do not promise it.",
  ]);
  expect(outbound("CAslow").map((m) => m.status)).toEqual(["queued", "queued"]);
  release();
  await until(() => outbound("CAslow").every((m) => m.status === "sent"), 5000, "Twilio's answers");
  // the link that did go out is recorded on its payment, as any other
  await until(() => paymentsOf("CAslow")[0] !== undefined && services.payments.show(paymentsOf("CAslow")[0]!.id, { id: 0, role: "owner" }).events.some((e) => e.kind === "link_sent"), 5000, "the link's delivery");
  expect(paymentsOf("CAslow")[0]).toMatchObject({ status: "pending", amount: 8000 });
});

test(`at most ${MAX_SENDS_PER_CALL} messages a call; the same message twice is sent once`, async () => {
  setup({ llm: true });
  const tool = (text: string) => ({ name: "send_whatsapp", arguments: { text } });
  h.llm!.turns.push({ toolCalls: [tool("one"), tool("one"), tool("two")] }, { tokens: ["Sent."] });
  h.llm!.turns.push({ toolCalls: [tool("three"), tool("four")] }, { tokens: ["One more sent."] });
  const call = place("CAlimit", CALLER);
  await call.untilQuiet();
  await turnWithTools(call, "send me the prices");
  const first = h.llm!.requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => m.content);
  await turnWithTools(call, "and the address, and the hours");
  call.hangup();
  const second = h.llm!.requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => m.content);
  expect(first).toEqual(["sent: the caller will get it on WhatsApp", "sent (this same message was already sent earlier in this call)", "sent: the caller will get it on WhatsApp"]);
  expect(second.at(-2)).toBe("sent: the caller will get it on WhatsApp");
  expect(second.at(-1)).toStartWith("not sent: this call has already sent as many WhatsApp messages as one call may.");
  expect(rest.messages.map((m) => m.form.Body)).toEqual(["one", "two", "three"]);
});

// ── the scripted dialog ─────────────────────────────────────────────────────────────────────────────────────────

test("without a model, 'send me the details on WhatsApp' sends the business's details and says so; with no channel it says it could not", async () => {
  setup({ settings: { whatsappDetails: "Dana's Plumbing — Herzl 10, Haifa — 04-1234567" } });
  const call = place("CAscriptWa", CALLER);
  await call.untilQuiet();
  call.say("can you send me your details on WhatsApp", h.stt);
  // Twilio answers in real time; the call's clock waits for it (see turnWithTools)
  await call.until(() => rest.messages.length > 0, 10_000, "the send");
  await until(() => outbound("CAscriptWa")[0]?.status === "sent", 10_000, "Twilio's answer");
  await call.answered();
  call.say("I have a leak", h.stt);
  await call.answered();
  call.hangup();
  expect(rest.messages.map((m) => m.form.Body)).toEqual(["Dana's Plumbing — Herzl 10, Haifa — 04-1234567"]);
  expect(agentSaid("CAscriptWa").slice(1)).toEqual(["I've sent our details to your WhatsApp. What else can I help you with?", h.lines.askName[0]!]);
  // the request was not taken as the caller's need
  expect(services.contacts.byId(contactOf("CAscriptWa"))!.need).toBe("I have a leak");

  setup({ whatsapp: false });
  rest.reset();
  const none = place("CAscriptNoWa", CALLER);
  await none.untilQuiet();
  none.say("I need a plumber", h.stt);
  await none.answered();
  none.say("please send me the details on whatsapp", h.stt);
  await none.answered();
  none.hangup();
  expect(agentSaid("CAscriptNoWa").at(-1)).toBe(`I couldn't send a WhatsApp message to your number just now. ${h.lines.askName[0]}`);
  expect(rest.messages).toEqual([]);
});
