/**
 * GET /api/messages/:id/media/:index: a WhatsApp document keeps the name its sender gave it — usually Hebrew, which a
 * header cannot carry raw (Bun refused it: a 500). The name goes in RFC 5987's `filename*`, with an ASCII fallback.
 * Bad path parameters are named in the error.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { testApp } from "../support/app.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

async function withDocument(name: string, mime = "application/pdf") {
  const t = await testApp();
  const owner = await t.user("owner@example.com", "owner");
  const contact = t.services.contacts.identities.resolve({ kind: "phone", value: "+972501234567" }, { source: "whatsapp" });
  const file = await t.services.whatsapp.media.save({ channel: "baileys", providerId: "3EB0AAAA", index: 0, mime, name }, new TextEncoder().encode("%PDF-1.4 test"));
  const { message } = t.services.messages.record({ contactId: contact.id, direction: "in", channel: "baileys", providerId: "3EB0AAAA", text: null, media: [file], status: "received" });
  const get = (path: string) => t.request(path, { headers: { authorization: `Bearer ${owner.token}` } });
  return { t, message, file, get };
}

test("a document named in Hebrew downloads: 200, the real name in filename*, the stored name as the ASCII fallback", async () => {
  const { message, file, get } = await withDocument("הצעת מחיר.pdf");
  const res = await get(`/api/messages/${message.id}/media/0`);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("%PDF-1.4 test");
  const header = res.headers.get("content-disposition")!;
  expect(header).toBe(`attachment; filename="${file.path}"; filename*=UTF-8''${encodeURIComponent("הצעת מחיר.pdf")}`);
  // what a browser does with it: RFC 5987's value decodes back to the sender's name
  expect(decodeURIComponent(header.split("filename*=UTF-8''")[1]!)).toBe("הצעת מחיר.pdf");
});

test("an ASCII name with quotes and parentheses cannot break out of the header", async () => {
  const { message, get } = await withDocument('quote "x"; filename=evil.html (1).pdf');
  const header = (await get(`/api/messages/${message.id}/media/0`)).headers.get("content-disposition")!;
  expect(header).toBe(`attachment; filename="quote _x_; filename=evil.html (1).pdf"; filename*=UTF-8''quote%20%22x%22%3B%20filename%3Devil.html%20%281%29.pdf`);
});

test("a bad path parameter is named: id, index, contactId — not body", async () => {
  const { message, get, t } = await withDocument("a.pdf");
  const owner = await t.user("owner@example.com", "owner");
  const err = async (res: Response) => ((await res.json()) as { error: { field: string } }).error.field;
  expect(await err(await get("/api/messages/abc/media/0"))).toBe("id");
  expect(await err(await get(`/api/messages/${message.id}/media/x`))).toBe("index");
  expect(await err(await get("/api/contacts/-1/messages"))).toBe("id");
  const read = await t.request("/api/conversations/zero/read", { method: "POST", headers: { authorization: `Bearer ${owner.token}` } });
  expect(read.status).toBe(422);
  expect(await err(read)).toBe("contactId");
});
