/** WhatsApp messages in the CRM: kept once, statuses only forward (in any order), conversations with unread counts. */
import { beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { ContactService } from "../../../src/crm/contacts.ts";
import { MessageService } from "../../../src/crm/messages.ts";
import { UserService } from "../../../src/crm/users.ts";
import { migrate, openDatabase, type Db } from "../../../src/db/client.ts";
import { contacts as contactsTable } from "../../../src/db/schema.ts";
import { liveFeed, type LiveEvent } from "../../../src/live-events.ts";
import { tempDir } from "../../support/server.ts";

let db: Db;
let contacts: ContactService;
let messages: MessageService;
let events: LiveEvent[];
beforeEach(() => {
  db = openDatabase(join(tempDir(), "crm.db"));
  migrate(db);
  contacts = new ContactService(db);
  events = [];
  messages = new MessageService(db, liveFeed((e) => events.push(e)));
});

test("every order of Twilio's callbacks ends at the furthest status; failed never overrides delivered or read", () => {
  const c = contacts.findOrCreateByPhone("+972501234567", "whatsapp");
  const orders: Array<Array<"sent" | "delivered" | "read" | "failed">> = [
    ["sent", "delivered", "read"],
    ["read", "delivered", "sent"],
    ["delivered", "sent", "read", "sent"],
    ["sent", "failed", "delivered"],
    ["failed", "sent"],
  ];
  const expected = ["read", "read", "read", "delivered", "failed"] as const;
  orders.forEach((order, i) => {
    const row = messages.queue({ contactId: c.id, channel: "twilio", text: `m${i}` });
    messages.accepted(row.id, `SM${i}`);
    for (const s of order) messages.updateStatus("twilio", `SM${i}`, s, s === "failed" ? { errorCode: "30008", errorMessage: "unknown" } : {});
    expect(messages.byId(row.id)!.status).toBe(expected[i]!);
  });
  // an inbound message's status is never touched by a callback with its id
  const inbound = messages.record({ contactId: c.id, direction: "in", channel: "twilio", providerId: "SMin", status: "received" }).message;
  expect(messages.updateStatus("twilio", "SMin", "read")).toBeUndefined();
  expect(messages.byId(inbound.id)!.status).toBe("received");
});

test("a callback that beats the provider's REST answer is applied when the message gets its id", () => {
  const c = contacts.findOrCreateByPhone("+972501234567", "whatsapp");
  const row = messages.queue({ contactId: c.id, channel: "twilio", text: "race" });
  expect(row.status).toBe("queued");
  expect(row.providerId).toMatch(/^local:/);
  expect(messages.updateStatus("twilio", "SMrace", "delivered")).toBeUndefined();
  expect(messages.updateStatus("twilio", "SMrace", "sent")).toBeUndefined();
  const after = messages.accepted(row.id, "SMrace");
  expect(after).toMatchObject({ providerId: "SMrace", status: "delivered" });
  expect(events.filter((e) => e.type === "message.status").map((e) => e.data.status)).toEqual(["sent", "delivered"]);
});

test("an echo of our own send that arrives before the provider's answer is folded into the sent message", () => {
  const c = contacts.findOrCreateByPhone("+972501234567", "whatsapp");
  const row = messages.queue({ contactId: c.id, channel: "baileys", text: "hello" });
  messages.record({ contactId: c.id, direction: "out", channel: "baileys", providerId: "3EB0ECHO", status: "sent", text: "hello" });
  expect(messages.accepted(row.id, "3EB0ECHO")).toMatchObject({ id: row.id, providerId: "3EB0ECHO", status: "sent" });
  expect(messages.ofContact(c.id).items.map((m) => m.id)).toEqual([row.id]);
});

test("parallel duplicates of one provider id keep one row", async () => {
  const c = contacts.findOrCreateByPhone("+972501234567", "whatsapp");
  const results = await Promise.all(
    Array.from({ length: 20 }, () => Promise.resolve().then(() => messages.record({ contactId: c.id, direction: "in", channel: "twilio", providerId: "SMdup", status: "received", text: "x" }))),
  );
  expect(results.filter((r) => r.created).length).toBe(1);
  expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
  // the same id on the other channel is another message
  expect(messages.record({ contactId: c.id, direction: "in", channel: "baileys", providerId: "SMdup", status: "received" }).created).toBe(true);
});

test("conversations: the latest message per contact, newest first, unread counts, paging, an owner's scope; mark read", async () => {
  const users = new UserService(db);
  const agent = await users.create({ email: "agent@example.com", password: "agent-password", role: "agent" });
  const a = contacts.findOrCreateByPhone("+972501111111", "whatsapp");
  const b = contacts.findOrCreateByPhone("+972502222222", "whatsapp");
  db.update(contactsTable).set({ ownerId: agent.id }).where(eq(contactsTable.id, b.id)).run();
  const at = (s: number) => new Date(1_760_000_000_000 + s * 1000);
  messages.record({ contactId: a.id, direction: "in", channel: "baileys", providerId: "a1", status: "received", text: "a1", at: at(1) });
  messages.record({ contactId: a.id, direction: "in", channel: "baileys", providerId: "a2", status: "received", text: "a2", at: at(5) });
  messages.record({ contactId: b.id, direction: "in", channel: "twilio", providerId: "b1", status: "received", text: "b1", at: at(3) });
  messages.record({ contactId: b.id, direction: "out", channel: "twilio", providerId: "b2", status: "sent", text: "b2", at: at(4) });

  const all = messages.conversations({ page: 1, limit: 50 });
  expect(all.total).toBe(2);
  expect(all.items.map((i) => [i.contact.id, i.last.text, i.unread])).toEqual([
    [a.id, "a2", 2],
    [b.id, "b2", 1],
  ]);
  expect(messages.conversations({ page: 2, limit: 1 }).items.map((i) => i.contact.id)).toEqual([b.id]);
  expect(messages.conversations({ page: 1, limit: 50, ownerId: agent.id }).items.map((i) => i.contact.id)).toEqual([b.id]);
  expect(messages.conversations({ page: 1, limit: 50, ownerId: agent.id }).total).toBe(1);

  expect(messages.markRead(a.id)).toBe(2);
  expect(messages.markRead(a.id)).toBe(0);
  expect(messages.conversations({ page: 1, limit: 50 }).items[0]!.unread).toBe(0);
  const page = messages.ofContact(a.id, 1, 1);
  expect(page).toMatchObject({ total: 2, page: 1, limit: 1 });
  expect(page.items[0]).toMatchObject({ text: "a2", direction: "in", channel: "baileys", providerId: "a2", status: "received", at: at(5).toISOString() });
  expect(page.items[0]!.readAt).toBeDefined();
  // lastContactAt only moves forward
  expect(contacts.byId(a.id)!.lastContactAt?.getTime()).toBe(at(5).getTime());
  messages.record({ contactId: a.id, direction: "in", channel: "baileys", providerId: "a0", status: "received", text: "late", at: at(0) });
  expect(contacts.byId(a.id)!.lastContactAt?.getTime()).toBe(at(5).getTime());
});

test("accepted and failed on a message whose row is gone answer undefined and publish nothing", () => {
  const c = contacts.findOrCreateByPhone("+972501234567", "manual");
  const a = messages.queue({ contactId: c.id, channel: "twilio", text: "a" });
  const b = messages.queue({ contactId: c.id, channel: "twilio", text: "b" });
  contacts.delete(c.id, { userId: 1, role: "owner" });
  expect(messages.accepted(a.id, "SMgone")).toBeUndefined();
  expect(messages.failed(b.id, { errorMessage: "refused" })).toBeUndefined();
  expect(events.filter((e) => e.type === "message.status")).toEqual([]);
});
