/**
 * The sender when a contact is deleted while its message waits in the recipient's pacing queue (or while the
 * provider answers): the waiting send is abandoned with a clear `gone`, the one already with the provider completes,
 * and nothing throws on the missing row.
 */
import { beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { ContactService } from "../../../src/crm/contacts.ts";
import { MessageService } from "../../../src/crm/messages.ts";
import { migrate, openDatabase, type Db } from "../../../src/db/client.ts";
import { AppError } from "../../../src/errors.ts";
import { liveFeed, type LiveEvent } from "../../../src/live-events.ts";
import { WhatsappSender, type BaileysChannel } from "../../../src/whatsapp/sender.ts";
import { SendQueue } from "../../../src/whatsapp/send-queue.ts";
import { TwilioWhatsapp } from "../../../src/whatsapp/twilio-whatsapp.ts";
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

/** The linked phone, as the supervisor presents it: each send answers when the test says so. */
function heldChannel() {
  const sent: string[] = [];
  const answers: Array<(id: string) => void> = [];
  let onSend: () => void = () => {};
  const channel: BaileysChannel = {
    connected: true,
    summary: { state: "ok", reason: "" },
    send(to, text) {
      sent.push(text);
      onSend();
      return new Promise((resolve) => answers.push((id) => resolve({ providerId: id, jid: to })));
    },
  };
  return { channel, sent, answers, nextSend: () => new Promise<void>((r) => (onSend = r)) };
}

test("a contact deleted while its messages wait: the waiting send is abandoned (gone, never sent), the one in flight completes, nothing throws", async () => {
  const held = heldChannel();
  const sender = new WhatsappSender({ messages, contacts, queue: new SendQueue({ gapMs: 0, jitterMs: 0, maxPending: 5 }), baileys: held.channel, twilio: new TwilioWhatsapp({ apiUrl: "http://127.0.0.1:9" }) });
  const c = contacts.findOrCreateByPhone("+972501234567", "manual");
  const firstStarted = held.nextSend();
  const first = sender.send({ contactId: c.id, text: "first" });
  await firstStarted;
  const second = sender.send({ contactId: c.id, text: "second" }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(messages.ofContact(c.id).items.map((m) => m.status)).toEqual(["queued", "queued"]);

  contacts.delete(c.id, { userId: 1, role: "owner" });
  held.answers[0]!("3EB0FIRST");
  const done = await first;
  expect(done).toMatchObject({ text: "first", providerId: "3EB0FIRST", status: "sent" });
  const err = await second;
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({ code: "gone", field: "contactId" });
  expect(held.sent).toEqual(["first"]);
  expect(events.filter((e) => e.type === "message.status")).toEqual([]);
});
