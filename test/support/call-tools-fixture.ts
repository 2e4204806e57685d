/**
 * The stage for the tests of WhatsApp and payment links from a call, as the composition root wires them
 * (compose/calls.ts and call-tools.ts) on the harness's virtual clock: the real CRM on a fresh SQLite database, the
 * real WhatsApp sender and payment service, Twilio's REST API and PayPal as loopback stand-ins. A test file calls
 * useCallToolsFixture() once at its top, then setup() per test; the `let` exports are live bindings to the current
 * stage.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "bun:test";
import { join } from "node:path";
import { buildCalls, type Calls } from "../../src/compose/calls.ts";
import { loadConfig } from "../../src/config.ts";
import type { BusinessSettings } from "../../src/crm/settings.ts";
import { migrate, openDatabase, type Db } from "../../src/db/client.ts";
import type { Services } from "../../src/http/env.ts";
import { configureLog } from "../../src/log.ts";
import { createServices } from "../../src/main.ts";
import { FakePayPal } from "../fakes/paypal.ts";
import { FakeTwilioRest } from "../fakes/twilio-rest.ts";
import { createHarness, type Harness } from "./call-harness.ts";
import { tempDir } from "./server.ts";
import { until } from "./wait.ts";

export const CALLER = "+972541234567";
export const FROM = "whatsapp:+14155238886";
export const refusal63016 = () => ({ status: 400, body: { code: 63016, message: "Failed to send freeform message because you are outside the allowed window.", status: 400 } });

export let rest: FakeTwilioRest;
export let paypal: FakePayPal;
export const logged: Array<Record<string, unknown>> = [];

/** Starts Twilio's and PayPal's stand-ins for the file and captures the log; call once at the top of a test file. */
export function useCallToolsFixture(): void {
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
  afterEach(() => expect(paypal.takeViolations()).toEqual([]));
}

export let h: Harness;
export let db: Db;
export let services: Services;
export let calls: Calls;

export interface Setup {
  llm?: boolean;
  stt?: boolean;
  /** A WhatsApp channel (Twilio's sender); default on. */
  whatsapp?: boolean;
  /** PayPal configured; default on. */
  paypal?: boolean;
  settings?: Partial<BusinessSettings>;
}

export function setup(o: Setup = {}) {
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

export const place = (callSid: string, from?: string) => {
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
export async function turnWithTools(call: ReturnType<typeof place>, text: string) {
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
export async function callWithTools(callSid: string, from: string | undefined, tools: Array<{ name: string; arguments: Record<string, unknown> | string }>, after = "Done.") {
  h.llm!.turns.push({ toolCalls: tools }, { tokens: [after] });
  const call = place(callSid, from);
  await call.untilQuiet();
  await turnWithTools(call, "please send it to me");
  call.hangup();
  const request = h.llm!.requests.at(-1)!;
  return request.messages.filter((m) => m.role === "tool").map((m) => m.content as string);
}

export const agentSaid = (callSid: string) => services.calls.detail(callSid)!.turns.filter((t) => t.role === "agent").map((t) => t.text);
export const happened = (callSid: string, event: string) => services.calls.detail(callSid)?.events.some((e) => e.event === event) ?? false;
export const contactOf = (callSid: string) => services.calls.bySid(callSid)!.contactId!;
export const outbound = (callSid: string) => services.messages.ofContact(contactOf(callSid)).items.filter((m) => m.direction === "out");
export const callEvents = (callSid: string, event: string) => services.calls.detail(callSid)!.events.filter((e) => e.event === event).map((e) => e.data as Record<string, unknown>);
export const paymentsOf = (callSid: string) => services.payments.list({ contactId: contactOf(callSid), page: 1, limit: 50 }, { id: 0, role: "owner" }).items;
export const ordersAt = () => paypal.requests.filter((r) => r.path === "/v2/checkout/orders" && r.method === "POST").length;

export const LINKS_ON = { paymentLinks: { enabled: true, provider: "paypal" as const, currency: "ILS" as const, maxAmount: 200_000 } };
