/**
 * Review finding: a WhatsApp document whose file name is not Latin-1 (a Hebrew name, the usual case for this
 * product's users) cannot be opened: GET /api/messages/:id/media/:index puts the raw name into
 * Content-Disposition, the Response constructor throws "invalid header value", and the owner gets a 500.
 * Baileys hands the worker `documentMessage.fileName` as the sender typed it; media-store keeps it as `name`.
 */
import { expect, test } from "bun:test";
import { testApp } from "../support/app.ts";

test("a document named in Hebrew downloads (200, RFC 5987 filename*), not a 500", async () => {
  const t = await testApp();
  const owner = await t.user("owner@example.com", "owner");
  const contact = t.services.contacts.identities.resolve({ kind: "phone", value: "+972501234567" }, { source: "whatsapp" });
  const file = await t.services.whatsapp.media.save(
    { channel: "baileys", providerId: "3EB0AAAA", index: 0, mime: "application/pdf", name: "הצעת מחיר.pdf" },
    new TextEncoder().encode("%PDF-1.4 test"),
  );
  const { message } = t.services.messages.record({ contactId: contact.id, direction: "in", channel: "baileys", providerId: "3EB0AAAA", text: null, media: [file], status: "received" });

  const res = await t.request(`/api/messages/${message.id}/media/0`, { headers: { authorization: `Bearer ${owner.token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-disposition")).toContain("filename*=UTF-8''");
});
