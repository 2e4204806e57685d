/**
 * Twilio WhatsApp media after the webhook has been answered: the message is kept at once without its media, the
 * files are fetched in the background (once per MessageSid, whoever else delivers the same message meanwhile),
 * attached to the message and pushed live; a total deadline or a server stop ends the downloads, and the message
 * says which files are missing. Against a real database and the Twilio REST stand-in on loopback.
 */
import { afterAll, beforeEach, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ContactService } from "../../../src/crm/contacts.ts";
import { MessageService } from "../../../src/crm/messages.ts";
import { migrate, openDatabase } from "../../../src/db/client.ts";
import { liveFeed, type LiveEvent } from "../../../src/live-events.ts";
import { WhatsappInbox } from "../../../src/whatsapp/inbox.ts";
import { MediaStore } from "../../../src/whatsapp/media-store.ts";
import { fetchTwilioMedia, twilioInboundForm } from "../../../src/whatsapp/twilio-inbound.ts";
import { TwilioWhatsapp } from "../../../src/whatsapp/twilio-whatsapp.ts";
import { FakeTwilioRest } from "../../fakes/twilio-rest.ts";
import { tempDir } from "../../support/server.ts";
import { until } from "../../support/wait.ts";

const SID = `AC${"2".repeat(32)}`;
const rest = new FakeTwilioRest().start();
afterAll(() => rest.stop());

let media: MediaStore;
let messages: MessageService;
let inbox: WhatsappInbox;
let events: LiveEvent[];
let twilio: TwilioWhatsapp;
let seq = 0;

beforeEach(() => {
  const dataDir = tempDir();
  const db = openDatabase(join(dataDir, "crm.db"));
  migrate(db);
  events = [];
  messages = new MessageService(db, liveFeed((e) => events.push(e)));
  media = new MediaStore(dataDir);
  twilio = new TwilioWhatsapp({ apiUrl: rest.url, accountSid: SID, authToken: "token" });
  inbox = new WhatsappInbox(new ContactService(db).identities, messages, { client: twilio, media });
  rest.holdMedia = undefined;
});

/** A media file on the stand-in; returns its URL. */
function file(bytes: Uint8Array<ArrayBuffer>, mime = "image/jpeg"): { url: string; path: string } {
  const path = `/2010-04-01/Accounts/${SID}/Messages/MM${(++seq).toString(16).padStart(32, "0")}/Media/ME${seq.toString(16).padStart(32, "0")}`;
  rest.media.set(path, { bytes, mime });
  return { url: `${rest.url}${path}`, path };
}
function webhook(urls: string[]) {
  const raw: Record<string, string> = { MessageSid: `SM${(++seq).toString(16).padStart(32, "0")}`, From: "whatsapp:+972501234567", Body: "photos", NumMedia: String(urls.length) };
  urls.forEach((u, i) => {
    raw[`MediaUrl${i}`] = u;
    raw[`MediaContentType${i}`] = "image/jpeg";
  });
  return { form: twilioInboundForm.parse(raw), raw };
}
const partials = () => (existsSync(media.dir) ? readdirSync(media.dir).filter((n) => n.endsWith(".part")) : []);
const requestsFor = (path: string) => rest.mediaRequests.filter((r) => r.path === path).length;

test("kept at once without media; the files follow in the background, attached once and pushed live as message.status with media", async () => {
  const a = file(crypto.getRandomValues(new Uint8Array(3000)));
  const b = file(crypto.getRandomValues(new Uint8Array(5000)));
  let release!: () => void;
  rest.holdMedia = new Promise<void>((r) => (release = r));
  const { form, raw } = webhook([a.url, b.url]);
  const first = inbox.receiveTwilioWebhook(form, raw);
  expect(first.created).toBe(true);
  expect(first.message.media).toBeNull();
  expect(events.map((e) => e.type)).toEqual(["message.in"]);
  // Twilio's retries while the files are on their way find the message and fetch nothing
  await until(() => rest.cdnRequests.length >= 2, 5000, "both downloads to start");
  for (let i = 0; i < 3; i++) expect(inbox.receiveTwilioWebhook(form, raw).created).toBe(false);
  release();
  await inbox.mediaSettled();
  expect(requestsFor(a.path)).toBe(1);
  expect(requestsFor(b.path)).toBe(1);
  const row = messages.byId(first.message.id)!;
  expect(row.media!.map((f) => f.bytes)).toEqual([3000, 5000]);
  expect(row.errorMessage).toBeNull();
  const update = events.find((e) => e.type === "message.status")!;
  expect(update).toMatchObject({ contactId: row.contactId, data: { id: row.id, status: "received" } });
  expect((update.data.media as Array<{ url: string }>).map((m) => m.url)).toEqual([`/api/messages/${row.id}/media/0`, `/api/messages/${row.id}/media/1`]);
});

test("a file that does not arrive by the deadline is reported missing; the others are kept", async () => {
  const ok = file(new Uint8Array([1, 2, 3]));
  const slow = file(new Uint8Array([4, 5, 6]));
  rest.holdMedia = (path) => (path === slow.path ? new Promise<void>(() => {}) : undefined);
  const { form, raw } = webhook([ok.url, slow.url]);
  const out = await fetchTwilioMedia(form.MessageSid, [{ index: 0, url: ok.url, mime: "image/jpeg" }, { index: 1, url: slow.url, mime: "image/jpeg" }], { twilio, media, signal: AbortSignal.timeout(300) });
  expect(out.media.map((f) => f.bytes)).toEqual([3]);
  expect(out.error).toStartWith("media 2 of 2 could not be downloaded");
  expect(partials()).toEqual([]);
});

test("a server stop ends the downloads under way: the message says what was not downloaded, no partial file is left", async () => {
  const stuck = file(new Uint8Array(10));
  rest.holdMedia = new Promise<void>(() => {});
  const { form, raw } = webhook([stuck.url]);
  const { message } = inbox.receiveTwilioWebhook(form, raw);
  await until(() => rest.cdnRequests.some((r) => r.path === `/cdn${stuck.path}`), 5000, "the download to start");
  await inbox.stopMedia();
  const row = messages.byId(message.id)!;
  expect(row.media).toBeNull();
  expect(row.errorMessage).toBe("media 1 of 1 could not be downloaded: the server stopped before it was downloaded");
  expect(partials()).toEqual([]);
});
