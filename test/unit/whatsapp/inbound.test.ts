/**
 * WhatsApp's inbound side apart from the socket: Baileys-shaped events (as `messages.upsert`, `messages.update`,
 * `message-receipt.update`, `lid-mapping.update` deliver them) through the worker's normalizer and media download
 * into the main thread's inbox and message store, against a real database.
 */
import { beforeEach, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encryptedStream, type WAMessage, type WAMessageUpdate } from "@whiskeysockets/baileys";
import { ContactService } from "../../../src/crm/contacts.ts";
import { MessageService } from "../../../src/crm/messages.ts";
import { migrate, openDatabase, type Db } from "../../../src/db/client.ts";
import { liveFeed, type LiveEvent } from "../../../src/live-events.ts";
import { WhatsappInbox } from "../../../src/whatsapp/inbox.ts";
import { MediaStore } from "../../../src/whatsapp/media-store.ts";
import { TwilioWhatsapp } from "../../../src/whatsapp/twilio-whatsapp.ts";
import { saveMessageMedia } from "../../../src/whatsapp/worker/media.ts";
import { normalizeMapping, normalizeMessage, receiptsFromUpdates, receiptsFromUserReceipts } from "../../../src/whatsapp/worker/normalize.ts";
import { tempDir } from "../../support/server.ts";

let db: Db;
let dataDir: string;
let contacts: ContactService;
let messages: MessageService;
let inbox: WhatsappInbox;
let events: LiveEvent[];
beforeEach(() => {
  dataDir = tempDir();
  db = openDatabase(join(dataDir, "crm.db"));
  migrate(db);
  contacts = new ContactService(db);
  events = [];
  messages = new MessageService(db, liveFeed((e) => events.push(e)));
  inbox = new WhatsappInbox(contacts.identities, messages, { client: new TwilioWhatsapp({ apiUrl: "http://127.0.0.1:1" }), media: new MediaStore(dataDir) });
});
const count = (table: string, where = "1") => (db.$client.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;

const PN = "972501234567@s.whatsapp.net";
const LID = "123456789012345@lid";
let seq = 0;
function wa(key: Partial<WAMessage["key"]> & { remoteJidAlt?: string }, message: WAMessage["message"], extra: Partial<WAMessage> = {}): WAMessage {
  return { key: { id: `3EB0${++seq}`, fromMe: false, ...key }, message, messageTimestamp: 1_760_000_000 + seq, pushName: "Dana", ...extra } as WAMessage;
}
/** What the worker does with a `messages.upsert` of type notify, minus the socket. */
function receive(m: WAMessage) {
  const n = normalizeMessage(m);
  if (!n) return undefined;
  return inbox.receiveBaileys(n.inbound);
}

test("a text from a phone JID: a new lead named by pushName, the message kept once, published, lastContactAt set", () => {
  const m = wa({ remoteJid: "972501234567:12@s.whatsapp.net" }, { conversation: "שלום, אפשר פרטים?" });
  const r = receive(m)!;
  expect(r.created).toBe(true);
  const contact = contacts.byId(r.message.contactId)!;
  expect(contact).toMatchObject({ phone: "+972501234567", name: "Dana", source: "whatsapp" });
  expect(contact.lastContactAt?.getTime()).toBe((1_760_000_000 + seq) * 1000);
  expect(r.message).toMatchObject({ direction: "in", channel: "baileys", providerId: m.key.id, text: "שלום, אפשר פרטים?", status: "received", remote: "972501234567:12@s.whatsapp.net" });
  expect(events.map((e) => e.type)).toEqual(["message.in"]);
  expect(events[0]).toMatchObject({ contactId: contact.id, data: { message: { id: r.message.id, direction: "in", channel: "baileys", text: "שלום, אפשר פרטים?" } } });
  // the same event again (a reconnect redelivers it): nothing new
  expect(receive(m)!.created).toBe(false);
  expect(count("messages")).toBe(1);
  expect(events.length).toBe(1);
  // extended text and a location read as text
  expect(receive(wa({ remoteJid: PN }, { extendedTextMessage: { text: "with a link https://x.y" } }))!.message.text).toBe("with a link https://x.y");
  expect(receive(wa({ remoteJid: PN }, { locationMessage: { degreesLatitude: 32.08, degreesLongitude: 34.78, name: "Office" } }))!.message.text).toContain("32.08,34.78 Office");
  expect(count("contacts")).toBe(1);
});

test("a LID-only sender without remoteJidAlt is kept by LID; a later message with both merges into one contact", () => {
  const first = receive(wa({ remoteJid: LID }, { conversation: "hi from a LID" }))!;
  const lidContact = contacts.byId(first.message.contactId)!;
  expect(lidContact.phone).toBeNull();
  expect(contacts.identities.of(lidContact.id)).toEqual([{ kind: "lid", value: LID }]);

  // meanwhile the same person called: a phone contact exists
  const caller = contacts.findOrCreateByPhone("050-123-4567", "phone");
  expect(caller.id).not.toBe(lidContact.id);

  // a message whose key carries the phone JID as remoteJidAlt reveals they are one
  const second = receive(wa({ remoteJid: LID, remoteJidAlt: PN }, { conversation: "again" }))!;
  expect(count("contacts")).toBe(1);
  const merged = contacts.byId(second.message.contactId)!;
  expect(merged.phone).toBe("+972501234567");
  expect(merged.id).toBe(lidContact.id); // the older contact survives
  expect(contacts.identities.of(merged.id)).toEqual(expect.arrayContaining([{ kind: "phone", value: "+972501234567" }, { kind: "lid", value: LID }]));
  // both messages now belong to it
  expect(count("messages", `contact_id = ${merged.id}`)).toBe(2);
});

test("a phone JID with the LID as remoteJidAlt keeps both; a LID-only message later finds the same contact", () => {
  const r = receive(wa({ remoteJid: PN, remoteJidAlt: LID }, { conversation: "one" }))!;
  const again = receive(wa({ remoteJid: LID }, { conversation: "two" }))!;
  expect(again.message.contactId).toBe(r.message.contactId);
  expect(count("contacts")).toBe(1);
});

test("lid-mapping.update merges a LID contact into the phone contact, links a lone one, and creates nobody", () => {
  const byLid = receive(wa({ remoteJid: "555000111222333@lid" }, { conversation: "lid only" }))!.message.contactId;
  const byPhone = contacts.findOrCreateByPhone("+14155550100", "phone").id;
  const mapping = normalizeMapping({ lid: "555000111222333:4@lid", pn: "14155550100:4@s.whatsapp.net" })!;
  expect(mapping).toEqual({ lid: "555000111222333@lid", pn: "14155550100@s.whatsapp.net" });
  expect(inbox.linkLid([mapping])).toBe(1);
  expect(count("contacts")).toBe(1);
  expect(contacts.identities.find({ kind: "phone", value: "+14155550100" })!.id).toBe(contacts.identities.find({ kind: "lid", value: "555000111222333@lid" })!.id);
  expect([byLid, byPhone]).toContain(contacts.identities.find({ kind: "lid", value: "555000111222333@lid" })!.id);

  // a phone contact learns its LID, so a later LID-only message lands on it
  const other = contacts.findOrCreateByPhone("+14155550199", "phone");
  inbox.linkLid([{ lid: "999888777666555@lid", pn: "14155550199@s.whatsapp.net" }]);
  expect(receive(wa({ remoteJid: "999888777666555@lid" }, { conversation: "x" }))!.message.contactId).toBe(other.id);
  // mappings about strangers create nothing; malformed ones are dropped
  const before = count("contacts");
  expect(inbox.linkLid([{ lid: "111@lid", pn: "972509999999@s.whatsapp.net" }])).toBe(0);
  expect(count("contacts")).toBe(before);
  expect(normalizeMapping({ lid: "972501234567@s.whatsapp.net", pn: LID })).toBeUndefined();
});

test("groups, broadcasts, status, reactions and protocol messages never reach the CRM; our own phone-app messages are kept as outbound", () => {
  expect(normalizeMessage(wa({ remoteJid: "120363000000000000@g.us", participant: PN }, { conversation: "group" }))).toBeUndefined();
  expect(normalizeMessage(wa({ remoteJid: "status@broadcast", participant: PN }, { conversation: "status" }))).toBeUndefined();
  expect(normalizeMessage(wa({ remoteJid: "120363000000000001@newsletter" }, { conversation: "channel" }))).toBeUndefined();
  expect(normalizeMessage(wa({ remoteJid: PN }, { reactionMessage: { text: "👍", key: { id: "X" } } }))).toBeUndefined();
  expect(normalizeMessage(wa({ remoteJid: PN }, { protocolMessage: { type: 0 } }))).toBeUndefined();
  expect(normalizeMessage(wa({ remoteJid: PN }, undefined, { messageStubType: 1 }))).toBeUndefined();
  const own = receive(wa({ remoteJid: PN, fromMe: true }, { conversation: "answered from the phone" }, { pushName: "The Shop" }))!;
  expect(own.message).toMatchObject({ direction: "out", status: "sent" });
  // the business's own push name is not the customer's name
  expect(contacts.byId(own.message.contactId)!.name).toBeNull();
  expect(events.filter((e) => e.type === "message.in").length).toBe(0);
});

test("receipts move our messages forward only: sent → delivered → read, late and repeated receipts change nothing", () => {
  const contact = contacts.findOrCreateByPhone("+972501234567", "whatsapp");
  const row = messages.queue({ contactId: contact.id, channel: "baileys", text: "hello" });
  messages.accepted(row.id, "3EB0OUT1");
  const upd = (status: number, id = "3EB0OUT1", fromMe = true): WAMessageUpdate => ({ key: { id, remoteJid: PN, fromMe }, update: { status } });
  const apply = (list: Array<{ providerId: string; status: "sent" | "delivered" | "read" | "failed" }>) => list.forEach((u) => messages.updateStatus("baileys", u.providerId, u.status));

  expect(receiptsFromUpdates([upd(1), upd(2), upd(0, "3EB0OUT1", false)])).toEqual([{ providerId: "3EB0OUT1", status: "sent" }]);
  apply(receiptsFromUpdates([upd(4)]));
  expect(messages.byId(row.id)!.status).toBe("read");
  apply(receiptsFromUpdates([upd(3), upd(2), upd(0)]));
  expect(messages.byId(row.id)!.status).toBe("read");
  // message-receipt.update (per-user receipts) reads the same way
  const row2 = messages.queue({ contactId: contact.id, channel: "baileys", text: "again" });
  messages.accepted(row2.id, "3EB0OUT2");
  apply(receiptsFromUserReceipts([{ key: { id: "3EB0OUT2", remoteJid: PN, fromMe: true }, receipt: { userJid: PN, receiptTimestamp: 1 } }]));
  expect(messages.byId(row2.id)!.status).toBe("delivered");
  apply(receiptsFromUserReceipts([{ key: { id: "3EB0OUT2", remoteJid: PN, fromMe: true }, receipt: { userJid: PN, readTimestamp: 2 } }]));
  expect(messages.byId(row2.id)!.status).toBe("read");
  expect(events.filter((e) => e.type === "message.status").map((e) => e.data.status)).toEqual(["sent", "read", "sent", "delivered", "read"]);
});

test("media: Baileys downloads and decrypts it from the CDN into DATA_DIR/media before the message is kept", async () => {
  // any bytes do (nothing decodes the image); 70 kB spans many AES blocks and stream chunks
  const jpeg = Buffer.from(crypto.getRandomValues(new Uint8Array(70_000)));
  const enc = await encryptedStream(jpeg, "image");
  const cdn = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(Bun.file(enc.encFilePath)) });
  try {
    const msg = wa(
      { remoteJid: PN },
      {
        imageMessage: {
          url: `http://127.0.0.1:${cdn.port}/v/t62.7118-24/abc.enc`,
          mimetype: "image/jpeg",
          caption: "the leak under the sink",
          mediaKey: enc.mediaKey,
          fileEncSha256: enc.fileEncSha256,
          fileSha256: enc.fileSha256,
          fileLength: enc.fileLength,
        },
      },
    );
    const n = normalizeMessage(msg)!;
    expect(n.media).toEqual({ kind: "image", mime: "image/jpeg", name: undefined });
    const store = new MediaStore(dataDir);
    const silent = { level: "silent", child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    const file = await saveMessageMedia(msg, n.media!, store, { logger: silent });
    expect(file).toMatchObject({ mime: "image/jpeg", bytes: jpeg.length });
    expect(readFileSync(store.resolve(file.path)!).equals(jpeg)).toBe(true);
    const r = inbox.receiveBaileys({ ...n.inbound, media: [file] });
    expect(r.message).toMatchObject({ text: "the leak under the sink", media: [file] });
    expect(events.at(-1)!.data.message).toMatchObject({ media: [{ url: `/api/messages/${r.message.id}/media/0`, mime: "image/jpeg", bytes: jpeg.length }] });

    // a CDN copy that fails to decrypt keeps the message without media, saying why
    const tampered = wa({ remoteJid: PN }, { documentMessage: { ...msg.message!.imageMessage!, caption: undefined, fileName: "quote.pdf", mimetype: "application/pdf", mediaKey: Buffer.alloc(32, 1) } });
    const nd = normalizeMessage(tampered)!;
    expect(nd.media).toMatchObject({ kind: "document", name: "quote.pdf" });
    await expect(saveMessageMedia(tampered, nd.media!, store, { logger: silent })).rejects.toThrow();
  } finally {
    cdn.stop(true);
  }
});
