/**
 * Calls as the composition root wires them (compose/calls.ts), with the real CRM on a fresh SQLite database and
 * Twilio's REST stand-in, on the harness's virtual clock: per-call business settings, tools reaching the CRM,
 * a caller with no caller ID, the database failing mid-call.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { buildCalls, type Calls } from "../../../src/compose/calls.ts";
import { loadConfig } from "../../../src/config.ts";
import { configureLog } from "../../../src/log.ts";
import { migrate, openDatabase, type Db } from "../../../src/db/client.ts";
import { tasks } from "../../../src/db/schema.ts";
import type { Services } from "../../../src/http/env.ts";
import { createServices } from "../../../src/main.ts";
import { FakeTwilioRest } from "../../fakes/twilio-rest.ts";
import { createHarness, type Harness } from "../../support/call-harness.ts";
import { tempDir } from "../../support/server.ts";

let rest: FakeTwilioRest;
const logged: Array<Record<string, unknown>> = [];
beforeAll(() => {
  rest = new FakeTwilioRest().start();
  configureLog({ format: "json", level: "info", write: (line) => void logged.push(JSON.parse(line)) });
});
afterAll(() => rest.stop());

let h: Harness;
let db: Db;
let services: Services | undefined;
let calls: Calls;

function setup(o: { llm?: boolean } = {}) {
  const dataDir = tempDir();
  const config = loadConfig({
    DATA_DIR: dataDir,
    AGENT_LANGUAGE: "en-US",
    TTS_VOICE: "en-US-Wavenet-D",
    EOU_SILENCE_MS: "500",
    TRANSFER_NUMBER: "+972501110000",
    TWILIO_ACCOUNT_SID: `AC${"2".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "token-for-rest",
    TWILIO_API_URL: rest.url,
  });
  db = openDatabase(join(dataDir, "test.db"));
  migrate(db);
  services = createServices(db, { config });
  h = createHarness({ llm: o.llm });
  calls = buildCalls(config, "a-secret-of-at-least-16-chars", h.providers, () => services, { clock: h.clock });
}

const place = (callSid: string, from?: string) => {
  services!.calls.ringing(callSid, { from });
  return h.call({
    callSid,
    from,
    make: (start, sink) => {
      calls.mediaDeps(60_000).createCall(start, sink);
      return calls.live.get(start.callSid)!.session;
    },
  });
};

test("the business settings of the moment a call starts: voice, end-of-utterance silence, transfer number", async () => {
  setup();
  const first = place("CAbefore");
  await first.untilQuiet();
  services!.settings.saveBusiness({ ...services!.settings.business(), ttsVoice: "en-US-Wavenet-F", eouSilenceMs: 300, transferNumber: "+972509998877" });

  // the call that was already going keeps what it started with
  first.say("I need a plumber", h.stt);
  await first.answered();
  first.hangup();
  expect(h.tts.requests.filter((r) => r.text === "Thank you. What's your name?").map((r) => r.voice)).toEqual(["en-US-Wavenet-D"]);

  const second = place("CAafter");
  await second.untilQuiet();
  expect(h.tts.requests.at(-1)).toEqual({ text: "Hello, I'm the virtual assistant. How can I help?", voice: "en-US-Wavenet-F" });
  second.say("I need an electrician", h.stt);
  await second.answered();
  const events = db.$client.query("SELECT value FROM call_events e JOIN calls c ON c.id = e.call_id WHERE c.call_sid = 'CAafter' AND e.event = 'EoU_ms'").all() as Array<{ value: number }>;
  expect(events).toHaveLength(1);
  expect(events[0]!.value).toBeGreaterThanOrEqual(300);
  expect(events[0]!.value).toBeLessThan(500);
  second.session.dtmf("0");
  await second.answered(); // "transferring you…" is said, then Twilio is asked
  const update = await rest.waitFor((u) => u.callSid === "CAafter" && "Twiml" in u.form);
  expect(update.form.Twiml).toContain("<Dial>+972509998877</Dial>");
  second.hangup();

  // back to the defaults: TTS_VOICE, EOU_SILENCE_MS, TRANSFER_NUMBER
  const { ttsVoice: _v, eouSilenceMs: _e, transferNumber: _t, ...rest_ } = services!.settings.business();
  services!.settings.saveBusiness(rest_);
  const env = calls.envFor({ callSid: "CAdefaults", streamSid: "MZ" });
  expect(env.timing.eouSilenceMs).toBe(500);
  expect(env.telephony.canTransfer).toBe(true);
});

test("schedule_callback creates a task for the caller's contact; save_lead fills the contact", async () => {
  setup({ llm: true });
  h.llm!.turns.push({ toolCalls: [{ name: "save_lead", arguments: { name: "Noa", need: "kitchen renovation", area: "Haifa" } }, { name: "schedule_callback", arguments: { when: "Sunday at 9" } }] });
  h.llm!.turns.push({ tokens: ["We'll call you on Sunday at nine, Noa."] });
  const call = place("CAtask", "+972541234567");
  await call.untilQuiet();
  call.say("I'm Noa from Haifa, call me Sunday at nine about my kitchen", h.stt);
  await call.answered();
  call.hangup();
  const row = services!.calls.bySid("CAtask")!;
  expect(row).toMatchObject({ outcome: "callback_scheduled", status: "completed" });
  const contact = services!.contacts.byId(row.contactId!)!;
  expect(contact).toMatchObject({ name: "Noa", need: "kitchen renovation", area: "Haifa" });
  const made = db.select().from(tasks).all();
  expect(made).toEqual([expect.objectContaining({ contactId: contact.id, callId: row.id, title: "Call back Noa" })]);
});

test("a caller with no caller ID: the lead is still kept, on a contact of its own", async () => {
  setup();
  const call = place("CAanonymous", undefined);
  await call.untilQuiet();
  call.say("I need a roofer", h.stt);
  await call.answered();
  call.hangup();
  const row = services!.calls.bySid("CAanonymous")!;
  expect(row.contactId).toBeGreaterThan(0);
  expect(services!.contacts.byId(row.contactId!)!.need).toBe("I need a roofer");
});

test("the database going away mid-call: the caller hears nothing of it", async () => {
  setup();
  const call = place("CAdbgone", "+972500000001");
  await call.untilQuiet();
  const kept = services;
  services = undefined; // as after a database failure
  call.say("I need a plumber", h.stt);
  await call.answered();
  services = kept;
  expect(logged.filter((l) => l.callSid === "CAdbgone" && l.event === "call.tool_failed")).toEqual([expect.objectContaining({ method: "saveLead" })]);
  call.say("Dana", h.stt, 500);
  await call.answered();
  call.hangup();
  const turns = db.$client.query("SELECT role, text FROM call_turns t JOIN calls c ON c.id = t.call_id WHERE c.call_sid = 'CAdbgone' ORDER BY t.id").all();
  // the turns said while the database was away are lost; the call, and what came after, are not
  expect(turns).toEqual([
    { role: "agent", text: "Hello, I'm the virtual assistant. How can I help?" },
    { role: "caller", text: "Dana" },
    { role: "agent", text: "Nice to meet you, Dana. Which area is it in, and roughly what budget?" },
  ]);
});
