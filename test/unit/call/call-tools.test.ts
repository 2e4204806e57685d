/**
 * WhatsApp and payment links from a call, as the composition root wires them (compose/calls.ts and call-tools.ts)
 * on the harness's virtual clock: the real CRM on a fresh SQLite database, the real WhatsApp sender and payment
 * service, Twilio's REST API and PayPal as loopback stand-ins. Each tool's success and every refusal — hidden
 * caller ID, no channel, Twilio's 24-hour window, not on WhatsApp, over the maximum, provider not configured or
 * failing, malformed arguments — and what the model is told each time.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { buildCalls, type Calls } from "../../../src/compose/calls.ts";
import { MAX_SENDS_PER_CALL, TOOL_WAIT_MS } from "../../../src/compose/call-tools.ts";
import { loadConfig } from "../../../src/config.ts";
import type { BusinessSettings } from "../../../src/crm/settings.ts";
import { migrate, openDatabase, type Db } from "../../../src/db/client.ts";
import type { Services } from "../../../src/http/env.ts";
import { configureLog } from "../../../src/log.ts";
import { createServices } from "../../../src/main.ts";
import { FakePayPal } from "../../fakes/paypal.ts";
import { FakeTwilioRest } from "../../fakes/twilio-rest.ts";
import { createHarness, toneMs, type Harness } from "../../support/call-harness.ts";
import { tempDir } from "../../support/server.ts";
import { until } from "../../support/wait.ts";

const CALLER = "+972541234567";
const FROM = "whatsapp:+14155238886";
const refusal63016 = () => ({ status: 400, body: { code: 63016, message: "Failed to send freeform message because you are outside the allowed window.", status: 400 } });

let rest: FakeTwilioRest;
let paypal: FakePayPal;
const logged: Array<Record<string, unknown>> = [];
beforeAll(() => {
  rest = new FakeTwilioRest().start();
  paypal = new FakePayPal().start();
  configureLog({ format: "json", level: "info", write: (line) => void logged.push(JSON.parse(line)) });
});
afterAll(() => {
  rest.stop();
  paypal.stop();
});
beforeEach(() => rest.reset());

let h: Harness;
let db: Db;
let services: Services;
let calls: Calls;

interface Setup {
  llm?: boolean;
  stt?: boolean;
  /** A WhatsApp channel (Twilio's sender); default on. */
  whatsapp?: boolean;
  /** PayPal configured; default on. */
  paypal?: boolean;
  settings?: Partial<BusinessSettings>;
}

function setup(o: Setup = {}) {
  const dataDir = tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    AGENT_LANGUAGE: "en-US",
    TTS_VOICE: "en-US-Wavenet-D",
    EOU_SILENCE_MS: "500",
    TWILIO_ACCOUNT_SID: `AC${"4".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "token-for-rest",
    TWILIO_API_URL: rest.url,
    PUBLIC_BASE_URL: "https://agent.example.com",
    ...(o.whatsapp === false ? {} : { TWILIO_WHATSAPP_FROM: FROM }),
    ...(o.paypal === false ? {} : { PAYPAL_CLIENT_ID: paypal.clientId, PAYPAL_CLIENT_SECRET: paypal.clientSecret, PAYPAL_API_URL: paypal.url }),
  });
  db = openDatabase(join(dataDir, "test.db"));
  migrate(db);
  // no pacing between sends to one number: the harness's time is virtual, the queue's is not
  services = createServices(db, { config, whatsapp: { pacing: { gapMs: 0, jitterMs: 0, maxPending: 20 } }, payments: { timeoutMs: 2000 } });
  services.settings.saveBusiness({ ...services.settings.business(), name: "Dana's Plumbing", hours: "Sun-Thu 8:00-18:00", services: "Leaks, boilers", ...o.settings });
  h = createHarness({ llm: o.llm, stt: o.stt });
  calls = buildCalls(config, "a-secret-of-at-least-16-chars", h.providers, () => services, { clock: h.clock });
}

const place = (callSid: string, from?: string) => {
  services.calls.ringing(callSid, { from });
  return h.call({
    callSid,
    from,
    make: (start, sink) => {
      calls.mediaDeps(60_000).createCall(start, sink);
      return calls.live.get(start.callSid)!.session;
    },
  });
};

/**
 * The caller says `text`; the model answers with tool calls, then (asked again with their results) speaks. The tools'
 * network work (Twilio, PayPal on loopback) takes real time: the call's clock stands still while it runs, as a
 * real call's would not need to — so a deadline of the call never fires because the test machine is busy.
 */
async function turnWithTools(call: ReturnType<typeof place>, text: string) {
  const asked = h.llm!.requests.length;
  const eou = () => services.calls.detail(call.start.callSid)!.events.filter((e) => e.event === "EoU_ms").length;
  const before = eou();
  call.say(text, h.stt);
  // the model is asked at the final transcript; a tool that reaches the caller runs once end of utterance confirms it
  await call.until(() => h.llm!.requests.length > asked && eou() > before, 10_000, "the model asked and the turn confirmed");
  await until(() => h.llm!.requests.length > asked + 1, 10_000, "the tools' results given to the model");
  await call.answered();
}

/** The model calls `tools` when the caller speaks, then says `after`; the call ends. Returns what the tools answered. */
async function callWithTools(callSid: string, from: string | undefined, tools: Array<{ name: string; arguments: Record<string, unknown> | string }>, after = "Done.") {
  h.llm!.turns.push({ toolCalls: tools }, { tokens: [after] });
  const call = place(callSid, from);
  await call.untilQuiet();
  await turnWithTools(call, "please send it to me");
  call.hangup();
  const request = h.llm!.requests.at(-1)!;
  return request.messages.filter((m) => m.role === "tool").map((m) => m.content as string);
}

const agentSaid = (callSid: string) => services.calls.detail(callSid)!.turns.filter((t) => t.role === "agent").map((t) => t.text);
const happened = (callSid: string, event: string) => services.calls.detail(callSid)?.events.some((e) => e.event === event) ?? false;
const contactOf = (callSid: string) => services.calls.bySid(callSid)!.contactId!;
const outbound = (callSid: string) => services.messages.ofContact(contactOf(callSid)).items.filter((m) => m.direction === "out");
const callEvents = (callSid: string, event: string) => services.calls.detail(callSid)!.events.filter((e) => e.event === event).map((e) => e.data as Record<string, unknown>);
const paymentsOf = (callSid: string) => services.payments.list({ contactId: contactOf(callSid), page: 1, limit: 50 }, { id: 0, role: "owner" }).items;
const ordersAt = () => paypal.requests.filter((r) => r.path === "/v2/checkout/orders" && r.method === "POST").length;

const LINKS_ON = { paymentLinks: { enabled: true, provider: "paypal" as const, currency: "ILS" as const, maxAmount: 200_000 } };

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

test("a turn whose tools and second model round take over 10 s: the holding line covers the wait, the answer is heard, and the send is remembered", async () => {
  setup({ llm: true });
  let release = () => {};
  rest.holdMessages = new Promise<void>((r) => (release = r)); // Twilio slow: the tool waits its full TOOL_WAIT_MS
  h.llm!.turns.push({ firstTokenMs: 3000, toolCalls: [{ name: "send_whatsapp", arguments: { text: "Our address: 1 Herzl St" } }] });
  h.llm!.turns.push({ firstTokenMs: 3000, tokens: ["It should reach your WhatsApp shortly."] });
  const call = place("CAlongtools", CALLER);
  await call.untilQuiet();
  call.say("send me your address", h.stt);
  await call.until(() => happened("CAlongtools", "EoU_ms"), 3000, "end of utterance");
  const eouAt = h.clock.now();
  await call.until(() => agentSaid("CAlongtools").some((t) => t.includes("It should reach your WhatsApp shortly.")), 20_000, "the answer");
  // 3 s + 5 s + 3 s of work: past the old 10 s limit, and no "could not answer" cut it
  expect(h.clock.now() - eouAt).toBeGreaterThan(10_000);
  await call.untilQuiet();
  release();
  h.llm!.turns.push({ tokens: ["You're welcome."] });
  call.say("thanks", h.stt);
  await call.answered();
  call.hangup();
  const said = agentSaid("CAlongtools");
  expect(said.join(" ")).not.toContain(h.lines.notAnswered);
  expect(said.some((t) => t.startsWith(h.lines.holding))).toBe(true);
  expect(callEvents("CAlongtools", "turn.unanswered")).toHaveLength(1); // kept when the holding line was needed
  // the model's next request holds the send and its result: it will not send again
  const next = h.llm!.requests.at(-1)!.messages;
  expect(next.some((m) => m.role === "assistant" && m.tool_calls?.[0]?.function.name === "send_whatsapp")).toBe(true);
  expect(next.filter((m) => m.role === "tool")).toHaveLength(1);
  expect(rest.messages).toHaveLength(1);
});

test("a turn stopped while its tools ran (the caller talked over the holding line): what the tools did stays in the model's history", async () => {
  setup({ llm: true });
  h.llm!.turns.push({ firstTokenMs: 3000, tokens: ["I'll send it now. "], toolCalls: [{ name: "send_whatsapp", arguments: { text: "Our address: 1 Herzl St" } }] });
  h.llm!.turns.push({ firstTokenMs: 3900, tokens: ["Sent."] });
  h.llm!.turns.push({ tokens: ["We are open until six."] });
  h.tts.hang = (t) => t === "I'll send it now."; // the model's words alongside the call are never heard
  h.offline.hang = (t) => t === "I'll send it now.";
  const call = place("CAtoolsstop", CALLER);
  await call.untilQuiet();
  call.say("send me your address", h.stt);
  await call.until(() => agentSaid("CAtoolsstop").length > 0 && happened("CAtoolsstop", "turn.unanswered"), 10_000, "the holding line");
  await call.until(() => rest.messages.length === 1, 5000, "the send");
  call.say("and until when are you open", h.stt, 900);
  await call.until(() => happened("CAtoolsstop", "BARGE_IN"), 3000, "the barge-in");
  await call.answered();
  call.hangup();
  const asked = h.llm!.requests.at(-1)!.messages.filter((m) => m.role !== "system");
  const toolCall = asked.find((m) => m.role === "assistant" && m.tool_calls?.length);
  expect(toolCall).toMatchObject({ content: null, tool_calls: [{ function: { name: "send_whatsapp" } }] });
  expect(asked.filter((m) => m.role === "tool").map((m) => m.content)).toEqual(["sent: the caller will get it on WhatsApp"]);
  expect(asked.at(-1)).toEqual({ role: "user", content: "and until when are you open" });
  expect(rest.messages).toHaveLength(1);
});

// ── send_payment_link ───────────────────────────────────────────────────────────────────────────────────────────

test("send_payment_link: '150 shekels' becomes 15000 agorot, PayPal makes the order, the link goes to the caller's WhatsApp, the payment is pending on their contact", async () => {
  setup({ llm: true, settings: LINKS_ON });
  const orders = ordersAt();
  const results = await callWithTools("CApay", CALLER, [{ name: "send_payment_link", arguments: { amount: "150 shekels", description: "Boiler repair deposit" } }], "The link is on your WhatsApp.");
  expect(results).toEqual(["sent: a payment link for 150.00 ILS (Boiler repair deposit) is on the caller's WhatsApp"]);
  expect(ordersAt()).toBe(orders + 1);
  const order = JSON.parse(paypal.requests.filter((r) => r.path === "/v2/checkout/orders").at(-1)!.body);
  expect(order.purchase_units[0].amount).toEqual({ currency_code: "ILS", value: "150.00" });
  const [payment] = paymentsOf("CApay");
  const url = payment!.url!;
  expect(url).toStartWith("https://www.sandbox.paypal.com/checkoutnow?token=");
  expect(payment).toMatchObject({ status: "pending", amount: 15000, currency: "ILS", provider: "paypal", description: "Boiler repair deposit", createdById: null });
  expect(rest.messages).toHaveLength(1);
  expect(rest.messages[0]!.form).toMatchObject({ To: `whatsapp:${CALLER}`, Body: `Dana's Plumbing: payment link for Boiler repair deposit (₪150.00):\n${url}` });
  const [message] = outbound("CApay");
  expect(message).toMatchObject({ status: "sent", text: rest.messages[0]!.form.Body });
  const events = services.payments.show(payment!.id, { id: 0, role: "owner" }).events.map((e) => [e.kind, e.data]);
  expect(events).toContainEqual(["link_sent", { channel: "twilio", messageId: message!.id }]);
  expect(callEvents("CApay", "call.payment_link")).toEqual([{ amount: 15000, currency: "ILS", provider: "paypal", sent: true, paymentId: payment!.id }]);
  // offered (with its limits in the prompt) only because the business enabled it
  expect(h.llm!.requests[0]!.tools!.map((t) => t.function.name)).toContain("send_payment_link");
  expect(h.llm!.requests[0]!.messages[0]!.content).toContain("send_payment_link sends the caller a payment link on WhatsApp (in ILS, at most 2000.00 ILS)");
});

test("payment links are not offered unless the business enables them; called anyway, nothing is created", async () => {
  setup({ llm: true });
  const results = await callWithTools("CApayOff", CALLER, [{ name: "send_payment_link", arguments: { amount: 150 } }]);
  expect(h.llm!.requests[0]!.tools!.map((t) => t.function.name)).not.toContain("send_payment_link");
  expect(results[0]).toStartWith("not sent: payment links are not enabled for this business. No link was created.");
  expect(paymentsOf("CApayOff")).toEqual([]);
});

test("amounts: numbers, decimals and thousands are converted exactly; malformed, negative, zero and another currency are refused at the edge", async () => {
  setup({ llm: true, settings: { paymentLinks: { enabled: true, provider: "paypal", currency: "ILS" } } });
  const results = await callWithTools("CAamounts", CALLER, [
    { name: "send_payment_link", arguments: { amount: "a lot", description: "x" } },
    { name: "send_payment_link", arguments: { amount: -5, description: "x" } },
    { name: "send_payment_link", arguments: { amount: "0", description: "x" } },
    { name: "send_payment_link", arguments: { amount: "150 dollars", description: "x" } },
    { name: "send_payment_link", arguments: { amount: 150, currency: "USD", description: "x" } },
    { name: "send_payment_link", arguments: { amount: 10.555, description: "x" } },
    { name: "send_payment_link", arguments: { amount: 150, description: "x", to: "+972509999999" } },
    { name: "send_payment_link", arguments: { amount: 150 } },
  ]);
  expect(results).toEqual([
    "error: amount: must be an amount in ILS such as 150 or 150.50",
    "error: amount: must be an amount in ILS such as 150 or 150.50",
    "error: amount: must be more than 0",
    "error: amount: payment links are in ILS only; ask for the amount in ILS",
    "error: currency: payment links are in ILS only",
    "error: amount: must be an amount in ILS such as 150 or 150.50",
    "error: only `amount`, `currency` and `description`: the link always goes to the caller's own number",
    "error: description: say in a few words what the payment is for",
  ]);
  expect(paymentsOf("CAamounts")).toEqual([]);
  expect(rest.messages).toEqual([]);
});

test("over the business's maximum: refused with a reason the model can say, nothing created", async () => {
  setup({ llm: true, settings: LINKS_ON });
  const orders = ordersAt();
  const results = await callWithTools("CAover", CALLER, [{ name: "send_payment_link", arguments: { amount: "2,000.01", description: "Kitchen" } }]);
  expect(results).toEqual([
    "refused: 2000.01 ILS is more than the most a link from a call may ask for (2000.00 ILS). No link was created. Tell the caller the team will contact them about this payment.",
  ]);
  expect(ordersAt()).toBe(orders);
  expect(paymentsOf("CAover")).toEqual([]);
});

test("a fixed description from the settings is used whatever the model writes", async () => {
  setup({ llm: true, settings: { paymentLinks: { enabled: true, provider: "paypal", currency: "ILS", description: "Visit fee" } } });
  const results = await callWithTools("CAfixed", CALLER, [{ name: "send_payment_link", arguments: { amount: 250, description: "a yacht" } }]);
  expect(results).toEqual(["sent: a payment link for 250.00 ILS (Visit fee) is on the caller's WhatsApp"]);
  expect(paymentsOf("CAfixed")).toEqual([expect.objectContaining({ description: "Visit fee", amount: 25000 })]);
});

test("the provider not configured, or no WhatsApp channel: the tool says so and no payment is created", async () => {
  setup({ llm: true, paypal: false, settings: LINKS_ON });
  const noProvider = await callWithTools("CAnoPaypal", CALLER, [{ name: "send_payment_link", arguments: { amount: 100, description: "Deposit" } }]);
  expect(noProvider).toEqual(["not sent: payment links are not set up on this server. No link was created. Do not tell the caller a link was sent; tell them the team will send the payment details."]);
  expect(paymentsOf("CAnoPaypal")).toEqual([]);

  setup({ llm: true, whatsapp: false, settings: LINKS_ON });
  const orders = ordersAt();
  const noChannel = await callWithTools("CAnoWa", CALLER, [{ name: "send_payment_link", arguments: { amount: 100, description: "Deposit" } }]);
  expect(noChannel[0]).toStartWith("not sent: WhatsApp is not available right now. No link was created.");
  expect(ordersAt()).toBe(orders);
  expect(paymentsOf("CAnoWa")).toEqual([]);

  const hidden = await callWithTools("CAnoNumber", undefined, [{ name: "send_payment_link", arguments: { amount: 100, description: "Deposit" } }]);
  expect(hidden[0]).toStartWith("not sent: the caller's number is hidden, so nothing can be sent to them. No link was created.");
  expect(ordersAt()).toBe(orders);
});

test("a link WhatsApp refuses (63016) is withdrawn: the payment is failed with the reason, never left pending", async () => {
  setup({ llm: true, settings: LINKS_ON });
  rest.messageReply = refusal63016;
  const results = await callWithTools("CApayWindow", CALLER, [{ name: "send_payment_link", arguments: { amount: 99.9, description: "Deposit" } }]);
  expect(results[0]).toBe(
    "not sent: WhatsApp lets the business write first only to people who wrote to it in the last 24 hours. The link was created but never reached the caller, so it is cancelled. Do not tell the caller a link was sent; tell them the team will send the payment details.",
  );
  const [payment] = paymentsOf("CApayWindow");
  expect(payment).toMatchObject({ status: "failed", amount: 9990 });
  const events = services.payments.show(payment!.id, { id: 0, role: "owner" }).events;
  expect(events.at(-1)).toMatchObject({ kind: "link_not_sent", fromStatus: "pending", toStatus: "failed", data: { reason: expect.stringContaining("63016") } });
  expect(outbound("CApayWindow")).toEqual([expect.objectContaining({ status: "failed", errorCode: "63016" })]);
});

test("the payment provider failing: no link exists, the model is told, nothing is sent", async () => {
  setup({ llm: true, settings: LINKS_ON });
  paypal.failNext("/v2/checkout/orders", "500", 2);
  const results = await callWithTools("CApay500", CALLER, [{ name: "send_payment_link", arguments: { amount: 100, description: "Deposit" } }]);
  expect(results[0]).toStartWith("not sent: the payment provider did not answer. No link was created.");
  expect(paymentsOf("CApay500")).toEqual([expect.objectContaining({ status: "failed", url: null })]);
  expect(rest.messages).toEqual([]);
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

// ── the post-call summary ───────────────────────────────────────────────────────────────────────────────────────

const summaryEvents = (callSid: string) => logged.filter((l) => l.callSid === callSid && String(l.event).startsWith("call.summary_"));

test("post-call summary: one WhatsApp with the need, the callback time and the payment link, however many times the call ends", async () => {
  setup({ llm: true, settings: { postCallSummary: true, ...LINKS_ON } });
  h.llm!.turns.push({
    toolCalls: [
      { name: "save_lead", arguments: { name: "Noa", need: "a leaking boiler" } },
      { name: "schedule_callback", arguments: { when: "tomorrow at 10" } },
      { name: "send_payment_link", arguments: { amount: 250, description: "Visit" } },
    ],
  });
  h.llm!.turns.push({ tokens: ["Done, Noa."] });
  const call = place("CAsummary", CALLER);
  await call.untilQuiet();
  await turnWithTools(call, "my boiler leaks, call me tomorrow at ten");
  call.hangup();
  call.session.end("again"); // a second end changes nothing
  const summary = await rest.waitForMessage((m) => m.form.Body!.startsWith("Thank you"));
  const [payment] = paymentsOf("CAsummary");
  expect(summary.form.Body).toBe(
    `Thank you for calling Dana's Plumbing, Noa!\nWhat we noted: a leaking boiler\nWe'll call you back: tomorrow at 10\nPayment link (₪250.00, Visit): ${payment!.url}`,
  );
  await until(() => happened("CAsummary", "call.summary_sent"), 5000, "the summary's record");
  expect(callEvents("CAsummary", "call.summary_sent")).toEqual([{ messageId: expect.any(Number), channel: "twilio" }]);
  // `ended` reported again (the session's own end is idempotent, the observer's may not be): still one summary
  await calls.summaries.ended("CAsummary");
  expect(rest.messages.filter((m) => m.form.Body!.startsWith("Thank you"))).toHaveLength(1);
  expect(outbound("CAsummary").map((m) => m.text)).toContain(summary.form.Body!);
});

test("post-call summary: off by default; never for a test call, a hidden number, or a caller who said nothing", async () => {
  setup();
  const off = place("CAsumOff", CALLER);
  await off.untilQuiet();
  off.say("I need a plumber", h.stt);
  await off.answered();
  off.hangup();

  setup({ settings: { postCallSummary: true } });
  services.calls.ringing("CAsumTest", { from: CALLER });
  db.$client.run("UPDATE calls SET is_test = 1 WHERE call_sid = 'CAsumTest'");
  for (const [sid, from, speaks] of [["CAsumTest", CALLER, true], ["CAsumHidden", undefined, true], ["CAsumSilent", CALLER, false]] as const) {
    const call = place(sid, from);
    await call.untilQuiet();
    if (speaks) {
      call.say("I need a plumber", h.stt);
      await call.answered();
    }
    call.hangup();
  }
  await until(() => summaryEvents("CAsumSilent").length > 0, 5000, "the last summary's decision");
  expect(summaryEvents("CAsumTest")).toEqual([expect.objectContaining({ event: "call.summary_skipped", reason: "test_call" })]);
  expect(summaryEvents("CAsumHidden")).toEqual([expect.objectContaining({ event: "call.summary_skipped", reason: "no_number" })]);
  expect(summaryEvents("CAsumSilent")).toEqual([expect.objectContaining({ event: "call.summary_skipped", reason: "nothing_noted" })]);
  expect(summaryEvents("CAsumOff")).toEqual([]);
  expect(rest.messages).toEqual([]);
});

test("post-call summary of a voicemail: sent when the caller left a message, not when they said nothing", async () => {
  setup({ stt: false, settings: { postCallSummary: true } });
  const spoke = place("CAvmSpoke", CALLER);
  await spoke.until(() => happened("CAvmSpoke", "voicemail.recording"), 20_000, "the beep");
  spoke.speak(toneMs(1500, 220, 5000));
  await spoke.until(() => happened("CAvmSpoke", "voicemail.saved"), 20_000, "the voicemail");
  spoke.hangup();
  const sent = await rest.waitForMessage();
  expect(sent.form.Body).toBe("Thank you for calling Dana's Plumbing!\nWe got your voicemail and will get back to you soon.");

  const silent = place("CAvmSilent", CALLER);
  await silent.until(() => happened("CAvmSilent", "voicemail.saved"), 20_000, "the voicemail's end");
  silent.hangup();
  await until(() => summaryEvents("CAvmSilent").length > 0, 5000, "the summary's decision");
  expect(summaryEvents("CAvmSilent")).toEqual([expect.objectContaining({ reason: "nothing_noted" })]);
  expect(rest.messages).toHaveLength(1);
});

test("post-call summary that WhatsApp refuses: logged and kept on the call, the call's record intact", async () => {
  setup({ settings: { postCallSummary: true } });
  rest.messageReply = refusal63016;
  const call = place("CAsumFail", CALLER);
  await call.untilQuiet();
  call.say("I need a plumber", h.stt);
  await call.answered();
  call.hangup();
  await until(() => happened("CAsumFail", "call.summary_failed"), 5000, "the failure's record");
  expect(callEvents("CAsumFail", "call.summary_failed")).toEqual([{ reason: expect.stringContaining("24 hours"), errorCode: "63016" }]);
  expect(summaryEvents("CAsumFail")).toEqual([expect.objectContaining({ level: "warn", event: "call.summary_failed", errorCode: "63016" })]);
  expect(services.calls.bySid("CAsumFail")).toMatchObject({ status: "completed" });
  expect(outbound("CAsumFail")).toEqual([expect.objectContaining({ status: "failed", errorCode: "63016" })]);
});
