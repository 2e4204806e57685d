/**
 * WhatsApp's admin writes leave an audit row like every other write (who, what, which record, from where):
 * linking by code, unlinking (it wipes the session), connecting now, sending, and marking a conversation read.
 * The linked phone's control is a recording stand-in here (the Baileys worker is exercised in test/e2e); sending
 * goes through the production sender to a Twilio REST stand-in over HTTP.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import type { WhatsappControl, WhatsappStatus } from "../../src/whatsapp/control.ts";
import { FakeTwilioRest } from "../fakes/twilio-rest.ts";
import { json, testApp } from "../support/app.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

const rest = new FakeTwilioRest().start();
afterAll(() => rest.stop());

function recordingControl() {
  const calls: string[] = [];
  const status = (): WhatsappStatus => ({ state: "starting", reason: "test", since: new Date().toISOString(), restrictions: {}, workerRestarts: 0 });
  const control: WhatsappControl = {
    status,
    pair: async (phone) => {
      calls.push(`pair ${phone}`);
      return "ABCD1234";
    },
    logout: async () => void calls.push("logout"),
    connect: async () => void calls.push("connect"),
  };
  return { control, calls };
}

async function setup() {
  const { control, calls } = recordingControl();
  const t = await testApp({
    whatsapp: control,
    env: { TWILIO_ACCOUNT_SID: `AC${"3".repeat(32)}`, TWILIO_AUTH_TOKEN: "audit-token", TWILIO_WHATSAPP_FROM: "whatsapp:+14155238886", TWILIO_API_URL: rest.url },
  });
  const owner = await t.user("owner@example.com", "owner");
  const rows = (action: string) =>
    t.db.$client.query("SELECT actor_id AS actorId, target, ip, details FROM audit_log WHERE action = ? ORDER BY id").all(action) as Array<{ actorId: number; target: string | null; ip: string; details: string | null }>;
  const as = (headers: Record<string, string> = {}) => ({ authorization: `Bearer ${owner.token}`, "x-forwarded-for": "203.0.113.9", ...headers });
  return { t, owner, calls, rows, as };
}

test("pair, logout and connect each leave an audit row naming who did it and from where", async () => {
  const { t, owner, calls, rows, as } = await setup();
  expect((await t.request("/api/whatsapp/pair", json({ phone: "050-123-4567" }, as()))).status).toBe(200);
  expect((await t.request("/api/whatsapp/logout", { method: "POST", headers: as() })).status).toBe(200);
  expect((await t.request("/api/whatsapp/connect", { method: "POST", headers: as() })).status).toBe(202);
  expect(calls).toEqual(["pair +972501234567", "logout", "connect"]);
  expect(rows("whatsapp.pair")).toEqual([{ actorId: owner.id, target: null, ip: "203.0.113.9", details: JSON.stringify({ phone: "+972501234567" }) }]);
  expect(rows("whatsapp.logout")).toEqual([{ actorId: owner.id, target: null, ip: "203.0.113.9", details: null }]);
  expect(rows("whatsapp.connect")).toEqual([{ actorId: owner.id, target: null, ip: "203.0.113.9", details: null }]);
});

test("a refused write leaves no row: an agent may not unlink the phone", async () => {
  const { t, calls, rows } = await setup();
  const agent = await t.user("agent@example.com", "agent");
  expect((await t.request("/api/whatsapp/logout", { method: "POST", headers: { authorization: `Bearer ${agent.token}` } })).status).toBe(403);
  expect(calls).toEqual([]);
  expect(rows("whatsapp.logout")).toEqual([]);
});

test("a send and marking a conversation read are audited with the message and the contact", async () => {
  const { t, owner, rows, as } = await setup();
  const sent = await t.request("/api/whatsapp/send", json({ to: "+972501234567", text: "שלום" }, as()));
  expect(sent.status).toBe(201);
  const { message } = (await sent.json()) as { message: { id: number; contactId: number } };
  expect(rows("whatsapp.send")).toEqual([{ actorId: owner.id, target: String(message.id), ip: "203.0.113.9", details: JSON.stringify({ contactId: message.contactId, channel: "twilio", template: false }) }]);
  const read = await t.request(`/api/conversations/${message.contactId}/read`, { method: "POST", headers: as() });
  expect(read.status).toBe(200);
  expect(rows("conversation.read")).toEqual([{ actorId: owner.id, target: String(message.contactId), ip: "203.0.113.9", details: JSON.stringify({ marked: 0 }) }]);
});
