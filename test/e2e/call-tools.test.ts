/**
 * WhatsApp and payment links from a real call, end to end: the real server, a simulated Twilio caller, the model
 * stand-in calling the tools, Twilio's REST stand-in receiving the WhatsApp messages and PayPal's the order — and
 * what the owner then sees through the API: the messages as outbound in the contact's inbox, the payment pending,
 * the post-call summary.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, setDefaultTimeout, test } from "bun:test";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { readStreamTwiml } from "../../src/sim/twiml-read.ts";
import { FakePayPal } from "../fakes/paypal.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { speech } from "../support/speech.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

const SID = `AC${"5".repeat(32)}`;
const AUTH = "auth-token-for-whatsapp-calls";
const BASE = "https://agent.example.com";
const FROM = "whatsapp:+14155238886";
const paypal = new FakePayPal().start();
let rig: Rig;

beforeAll(async () => {
  rig = await startRig({
    llm: true,
    env: {
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: AUTH,
      TWILIO_WHATSAPP_FROM: FROM,
      PUBLIC_BASE_URL: BASE,
      PAYPAL_CLIENT_ID: paypal.clientId,
      PAYPAL_CLIENT_SECRET: paypal.clientSecret,
      PAYPAL_API_URL: paypal.url,
    },
  });
  const business = await rig.api("/api/settings/business");
  const saved = await rig.api("/api/settings/business", {
    method: "PUT",
    body: JSON.stringify({ ...business, name: "Dana's Plumbing", postCallSummary: true, paymentLinks: { enabled: true, provider: "paypal", currency: "ILS", maxAmount: 100_000 } }),
  });
  expect(saved.paymentLinks.enabled).toBe(true);
}, 30_000);
afterAll(async () => {
  await rig.stop();
  paypal.stop();
});
beforeEach(() => rig.reset());
afterEach(() => expect(paypal.takeViolations()).toEqual([]));

/** Rings the webhook signed as Twilio signs it (for PUBLIC_BASE_URL) and opens the call's media stream. */
async function place(from: string): Promise<SimulatedCaller> {
  const caller = new SimulatedCaller({ baseUrl: rig.server.url, from });
  const params = { CallSid: caller.callSid, AccountSid: SID, From: from, To: "+97231234567", CallStatus: "ringing", Direction: "inbound", ApiVersion: "2010-04-01" };
  const res = await fetch(`${rig.server.url}/webhook/incoming_call`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": getExpectedTwilioSignature(AUTH, `${BASE}/webhook/incoming_call`, params) },
    body: new URLSearchParams(params),
  });
  expect(res.status).toBe(200);
  await caller.connect(`${rig.server.url.replace("http", "ws")}/ws/twilio-media`, readStreamTwiml(await res.text()).parameters);
  // the greeting is three sentences: quiet between them is not its end
  await caller.waitForQuiet(800, 10_000);
  return caller;
}

/** The caller says `text`; resolves once the agent has answered (after the model was asked again with the tools' results). */
async function say(caller: SimulatedCaller, text: string) {
  const asked = rig.llm!.requests.length;
  const heard = caller.frames.length;
  rig.google.stt.transcripts.push(text);
  await caller.speak(await speech(text));
  await rig.llm!.waitForRequests(asked + 2, 15_000);
  await caller.waitUntil(() => caller.frames.length > heard, 10_000, "the answer");
  await caller.waitForQuiet(400, 10_000);
  return rig.llm!.requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => m.content);
}

const contactOf = async (callSid: string) => (await rig.api(`/api/calls/${callSid}`)).call.contactId as number;

test("the model sends the caller's WhatsApp the details: Twilio gets it for the caller's number, the inbox shows it as outbound", async () => {
  const text = "Dana's Plumbing: Herzl 10, Haifa. Sun-Thu 8:00-18:00.";
  rig.llm!.turns.push({ toolCalls: [{ name: "send_whatsapp", arguments: { text } }] }, { tokens: ["I've sent it to your WhatsApp."] });
  const caller = await place("+972541110001");
  expect(await say(caller, "can you send me the address on whatsapp")).toEqual(["sent: the caller will get it on WhatsApp"]);
  const sent = await rig.rest.waitForMessage();
  expect(sent.form).toMatchObject({ From: FROM, To: "whatsapp:+972541110001", Body: text, StatusCallback: `${BASE}/webhook/whatsapp/status` });
  expect(sent.auth).toBe(`Basic ${Buffer.from(`${SID}:${AUTH}`).toString("base64")}`);
  await caller.hangup();

  const contactId = await contactOf(caller.callSid);
  const messages = await rig.api(`/api/contacts/${contactId}/messages`);
  expect(messages.items.filter((m: any) => m.direction === "out")).toEqual([expect.objectContaining({ channel: "twilio", status: "sent", text, providerId: expect.stringMatching(/^SM/) })]);
  const detail = await rig.api(`/api/calls/${caller.callSid}`);
  expect(detail.events.filter((e: any) => e.event === "call.whatsapp").map((e: any) => e.data)).toEqual([{ sent: true, messageId: messages.items[0].id }]);
  expect(detail.turns.filter((t: any) => t.role === "agent").map((t: any) => t.text)).toContain("I've sent it to your WhatsApp.");
}, 40_000);

test("the model sends a payment link: PayPal gets the order, the caller's WhatsApp the link, the owner sees the payment pending and, after the call, the summary", async () => {
  rig.llm!.turns.push(
    { toolCalls: [{ name: "save_lead", arguments: { name: "Avi", need: "a new boiler" } }, { name: "send_payment_link", arguments: { amount: "150", description: "Visit deposit" } }] },
    { tokens: ["The link is on your WhatsApp, Avi."] },
  );
  const orders = paypal.orders.size;
  const caller = await place("+972541110002");
  expect(await say(caller, "I want a new boiler, send me the deposit link")).toEqual(["saved", "sent: a payment link for 150.00 ILS (Visit deposit) is on the caller's WhatsApp"]);
  expect(paypal.orders.size).toBe(orders + 1);
  const order = [...paypal.orders.values()].at(-1)!;
  expect(order.body.purchase_units[0]!.amount).toEqual({ currency_code: "ILS", value: "150.00" });
  expect(paypal.violations).toEqual([]);

  const contactId = await contactOf(caller.callSid);
  const payments = await rig.api(`/api/crm/payments?contactId=${contactId}`);
  expect(payments.items).toEqual([expect.objectContaining({ status: "pending", amount: 15000, amountDecimal: "150.00", currency: "ILS", provider: "paypal", description: "Visit deposit", providerRef: order.id })]);
  const url = payments.items[0].url as string;
  const link = await rig.rest.waitForMessage((m) => m.form.Body!.includes(url));
  expect(link.form).toMatchObject({ To: "whatsapp:+972541110002", Body: `Dana's Plumbing: payment link for Visit deposit (₪150.00):\n${url}` });
  const shown = await rig.api(`/api/crm/payments/${payments.items[0].id}`);
  expect(shown.events.map((e: any) => e.kind)).toContain("link_sent");

  await caller.hangup();
  // the summary: once the call has ended (paced a second after the link, to the same number)
  const summary = await rig.rest.waitForMessage((m) => m.form.Body!.startsWith("Thank you"), 15_000);
  expect(summary.form.Body).toBe(`Thank you for calling Dana's Plumbing, Avi!\nWhat we noted: a new boiler\nPayment link (₪150.00, Visit deposit): ${url}`);
  expect(rig.rest.messages).toHaveLength(2);
  const messages = await rig.api(`/api/contacts/${contactId}/messages`);
  expect(messages.items.map((m: any) => [m.direction, m.status, m.text])).toEqual([
    ["out", "sent", summary.form.Body],
    ["out", "sent", link.form.Body],
  ]);
}, 40_000);
