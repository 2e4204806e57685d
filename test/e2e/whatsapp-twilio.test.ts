/**
 * Twilio's WhatsApp end to end against the real server and a Twilio REST stand-in: the signed inbound webhook
 * (contact, message, media), duplicates and forgeries, status callbacks in any order, sending (pacing, templates,
 * the 24-hour rule, bad numbers, no channel), and the conversations API with an agent's scope.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { FakeTwilioRest } from "../fakes/twilio-rest.ts";
import { logLines, startInProcess } from "../support/server.ts";
import { until } from "../support/wait.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

const SID = `AC${"1".repeat(32)}`;
const TOKEN = "whatsapp-test-token";
const BASE = "https://agent.example.com";
const FROM = "whatsapp:+14155238886";
const rest = new FakeTwilioRest().start();
let server: Awaited<ReturnType<typeof startInProcess>>;
let owner = "";
let seq = 0;
const msgSid = () => `SM${(++seq).toString(16).padStart(32, "a")}`;

beforeAll(async () => {
  server = await startInProcess({
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_WHATSAPP_FROM: FROM,
    TWILIO_API_URL: rest.url,
    PUBLIC_BASE_URL: BASE,
    ADMIN_EMAIL: "owner@example.com",
    ADMIN_PASSWORD: "owner-password",
  });
  owner = await login("owner@example.com", "owner-password");
});
afterAll(async () => {
  await server.stop(1000);
  rest.stop();
});

async function login(email: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  return ((await res.json()) as { token: string }).token;
}
function api(path: string, init: RequestInit & { token?: string } = {}) {
  return fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${init.token ?? owner}`, "content-type": "application/json", ...(init.headers ?? {}) } });
}
/** Posts a form to a webhook as Twilio would, signed for PUBLIC_BASE_URL + path (or with `signature`). */
function webhook(path: string, params: Record<string, string>, signature = getExpectedTwilioSignature(TOKEN, `${BASE}${path}`, params)) {
  return fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature }, body: new URLSearchParams(params) });
}
const inbound = (o: Record<string, string>) => ({ MessageSid: msgSid(), AccountSid: SID, From: "whatsapp:+972501234567", To: FROM, Body: "שלום", NumMedia: "0", ProfileName: "Dana", WaId: "972501234567", ...o });

test("an inbound WhatsApp message: 204 at once, a contact found or created by number, the message kept once and its media fetched once in the background", async () => {
  const mediaPath = `/2010-04-01/Accounts/${SID}/Messages/MM${"b".repeat(32)}/Media/ME${"c".repeat(32)}`;
  const photo = crypto.getRandomValues(new Uint8Array(20_000));
  rest.media.set(mediaPath, { bytes: photo, mime: "image/jpeg" });
  const params = inbound({ Body: "תמונה של הנזילה", NumMedia: "1", MediaUrl0: `${rest.url}${mediaPath}`, MediaContentType0: "image/jpeg" });
  const apiBefore = rest.mediaRequests.length;
  const cdnBefore = rest.cdnRequests.length;
  // the download is slow (the CDN holds the file): the webhook is answered without waiting for it
  let release!: () => void;
  rest.holdMedia = new Promise<void>((r) => (release = r));
  try {
    const res = await webhook("/webhook/whatsapp/twilio", params);
    expect(res.status).toBe(204);
    await until(() => rest.cdnRequests.length > cdnBefore, 5000, "the media download to start");
    // the message is in the inbox already, its media still coming
    const early = (await (await api("/api/conversations")).json()) as any;
    expect(early.items.find((i: any) => i.last.providerId === params.MessageSid).last.media).toBeUndefined();
    // Twilio retries while the download is under way (in parallel, even): answered, and no second download
    const again = await Promise.all(Array.from({ length: 5 }, () => webhook("/webhook/whatsapp/twilio", params)));
    expect(again.map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
  } finally {
    release();
    rest.holdMedia = undefined;
  }
  await until(() => logLines.some((l) => l.event === "whatsapp.media_saved" && l.messageSid === params.MessageSid), 5000, "whatsapp.media_saved");
  // exactly one fetch per media item: one request to the API host, one to the CDN
  expect(rest.mediaRequests.length - apiBefore).toBe(1);
  expect(rest.cdnRequests.length - cdnBefore).toBe(1);
  // the media was fetched with the account's credentials, and the CDN got none
  expect(rest.mediaRequests.at(-1)!.auth).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}`);
  expect(rest.cdnRequests.at(-1)!.auth).toBeNull();

  const conv = (await (await api("/api/conversations")).json()) as any;
  const item = conv.items.find((i: any) => i.contact.phone === "+972501234567");
  expect(item).toMatchObject({ contact: { name: "Dana" }, unread: 1, last: { direction: "in", channel: "twilio", providerId: params.MessageSid, text: "תמונה של הנזילה", status: "received" } });
  const file = await api(item.last.media[0].url);
  expect(file.status).toBe(200);
  expect(file.headers.get("content-type")).toBe("image/jpeg");
  expect(new Uint8Array(await file.arrayBuffer())).toEqual(photo);
  expect((await fetch(`${server.url}${item.last.media[0].url}`)).status).toBe(401);

  // a retry after the download: still one message, still one fetch
  expect((await webhook("/webhook/whatsapp/twilio", params)).status).toBe(204);
  const msgs = (await (await api(`/api/contacts/${item.contact.id}/messages`)).json()) as any;
  expect(msgs.items.filter((m: any) => m.providerId === params.MessageSid).length).toBe(1);
  expect(rest.mediaRequests.length - apiBefore).toBe(1);
  expect(rest.cdnRequests.length - cdnBefore).toBe(1);
});

test("a forged or missing signature is refused with 403 and keeps nothing; a malformed form is a 422 naming the field", async () => {
  const params = inbound({ Body: "forged" });
  expect((await webhook("/webhook/whatsapp/twilio", params, "bm90IGEgc2lnbmF0dXJl")).status).toBe(403);
  const unsigned = await fetch(`${server.url}/webhook/whatsapp/twilio`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(params) });
  expect(unsigned.status).toBe(403);
  // signed for another URL (a proxy in front without PUBLIC_BASE_URL would do this)
  expect((await webhook("/webhook/whatsapp/twilio", params, getExpectedTwilioSignature(TOKEN, `http://127.0.0.1/webhook/whatsapp/twilio`, params))).status).toBe(403);
  expect((await webhook("/webhook/whatsapp/status", { MessageSid: "SMx", MessageStatus: "read" }, "bad")).status).toBe(403);
  const conv = (await (await api("/api/conversations?limit=200")).json()) as any;
  expect(JSON.stringify(conv)).not.toContain("forged");
  const bad = await webhook("/webhook/whatsapp/twilio", { From: "whatsapp:+972501234567", Body: "no sid" });
  expect(bad.status).toBe(422);
  expect(((await bad.json()) as any).error.field).toBe("MessageSid");
});

test("a user without a number (a business-scoped id) is kept by that id, and found again by it", async () => {
  const first = await webhook("/webhook/whatsapp/twilio", inbound({ From: "whatsapp:US.13491208655302741918", WaId: "", ExternalUserId: "US.13491208655302741918", ProfileName: "Anon", Body: "hidden number" }));
  expect(first.status).toBe(204);
  await webhook("/webhook/whatsapp/twilio", inbound({ From: "whatsapp:US.13491208655302741918", WaId: "", ExternalUserId: "US.13491208655302741918", ProfileName: "Anon", Body: "again" }));
  const conv = (await (await api("/api/conversations?limit=200")).json()) as any;
  const anon = conv.items.filter((i: any) => i.contact.name === "Anon");
  expect(anon.length).toBe(1);
  expect(anon[0].contact.phone).toBeNull();
  expect(anon[0].unread).toBe(2);

  // a reply cannot go out (Twilio documents no sending to such an id): a 422 that says why, nothing sent to Twilio
  const sends = rest.messages.length;
  const reply = await api("/api/whatsapp/send", { method: "POST", body: JSON.stringify({ contactId: anon[0].contact.id, text: "hello" }) });
  expect(reply.status).toBe(422);
  const err = ((await reply.json()) as any).error;
  expect(err.field).toBe("contactId");
  expect(err.message.toLowerCase()).toContain("us.13491208655302741918");
  expect(err.message).toContain("hide their number");
  expect(err.message).toContain("phone number is added");
  expect(rest.messages.length).toBe(sends);
  // once the person's number is on the contact, the reply goes to it
  expect((await api(`/api/contacts/${anon[0].contact.id}`, { method: "PATCH", body: JSON.stringify({ phone: "+972529876543" }) })).status).toBe(200);
  const ok = await api("/api/whatsapp/send", { method: "POST", body: JSON.stringify({ contactId: anon[0].contact.id, text: "hello" }) });
  expect(ok.status).toBe(201);
  expect(rest.messages.at(-1)!.form.To).toBe("whatsapp:+972529876543");
});

test("sending through Twilio: sent under Twilio's SID, then delivered and read from callbacks in any order, never backwards", async () => {
  const res = await api("/api/whatsapp/send", { method: "POST", body: JSON.stringify({ to: "050-123-4567", text: "הפרטים: מחר ב-10" }) });
  expect(res.status).toBe(201);
  const { message } = (await res.json()) as any;
  expect(message).toMatchObject({ direction: "out", channel: "twilio", status: "sent", text: "הפרטים: מחר ב-10" });
  const sent = rest.messages.at(-1)!;
  expect(sent.form).toMatchObject({ From: FROM, To: "whatsapp:+972501234567", Body: "הפרטים: מחר ב-10", StatusCallback: `${BASE}/webhook/whatsapp/status` });
  expect(sent.auth).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}`);
  expect(message.providerId).toMatch(/^SM[0-9a-f]{32}$/);

  const status = (s: string, extra: Record<string, string> = {}) => webhook("/webhook/whatsapp/status", { MessageSid: message.providerId, MessageStatus: s, AccountSid: SID, ...extra });
  for (const s of ["read", "delivered", "sent", "queued", "failed"]) expect((await status(s, s === "failed" ? { ErrorCode: "30008" } : {})).status).toBe(204);
  const list = (await (await api(`/api/contacts/${message.contactId}/messages`)).json()) as any;
  expect(list.items.find((m: any) => m.id === message.id)).toMatchObject({ status: "read" });
  // unknown ids and statuses are answered and ignored
  expect((await webhook("/webhook/whatsapp/status", { MessageSid: "SMunknown", MessageStatus: "delivered" })).status).toBe(204);
  expect((await webhook("/webhook/whatsapp/status", { MessageSid: message.providerId, MessageStatus: "warp-speed" })).status).toBe(204);
});

test("the 24-hour rule: Twilio's 63016, at once or in a later callback, is told to the owner in plain words; a template goes through", async () => {
  rest.messageReply = () => ({ status: 400, body: { code: 63016, message: "Failed to send freeform message because you are outside the allowed window.", status: 400 } });
  const refused = await api("/api/whatsapp/send", { method: "POST", body: JSON.stringify({ to: "+972501234567", text: "late" }) });
  rest.messageReply = undefined;
  expect(refused.status).toBe(409);
  const err = ((await refused.json()) as any).error;
  expect(err).toMatchObject({ code: "conflict", field: "text" });
  expect(err.message).toContain("24 hours");
  expect(err.message).toContain("template");

  // more often Twilio accepts, then fails the message in the status callback
  const ok = (await (await api("/api/whatsapp/send", { method: "POST", body: JSON.stringify({ to: "+972501234567", text: "late again" }) })).json()) as any;
  await webhook("/webhook/whatsapp/status", { MessageSid: ok.message.providerId, MessageStatus: "failed", ErrorCode: "63016", ErrorMessage: "outside window" });
  const list = (await (await api(`/api/contacts/${ok.message.contactId}/messages`)).json()) as any;
  const failed = list.items.find((m: any) => m.id === ok.message.id);
  expect(failed).toMatchObject({ status: "failed", errorCode: "63016" });
  expect(failed.errorMessage).toContain("24 hours");
  const stored = list.items.find((m: any) => m.text === "late");
  expect(stored).toMatchObject({ status: "failed", errorCode: "63016" });

  const template = await api("/api/whatsapp/send", { method: "POST", body: JSON.stringify({ to: "+972501234567", contentSid: `HX${"d".repeat(32)}`, contentVariables: { "1": "Dana", "2": "10:00" } }) });
  expect(template.status).toBe(201);
  expect(rest.messages.at(-1)!.form).toMatchObject({ ContentSid: `HX${"d".repeat(32)}`, ContentVariables: JSON.stringify({ "1": "Dana", "2": "10:00" }) });
  expect(rest.messages.at(-1)!.form.Body).toBeUndefined();
});

test("bad input: a bad number is 422 naming `to`, no text is 422, Twilio's own refusals map to 422/503", async () => {
  const send = (body: unknown) => api("/api/whatsapp/send", { method: "POST", body: JSON.stringify(body) });
  const before = rest.messages.length;
  for (const to of ["abc", "12", "+0000", ""]) {
    const r = await send({ to, text: "x" });
    expect(r.status).toBe(422);
    expect(((await r.json()) as any).error.field).toBe("to");
  }
  expect(((await (await send({ to: "+972501234567" })).json()) as any).error.field).toBe("text");
  expect(((await (await send({ text: "to nobody" })).json()) as any).error.field).toBe("to");
  expect((await send({ contactId: 999_999, text: "x" })).status).toBe(404);
  expect(rest.messages.length).toBe(before);
  rest.messageReply = () => ({ status: 400, body: { code: 21211, message: "Invalid 'To' Phone Number" } });
  const invalid = await send({ to: "+972501234567", text: "x" });
  expect(invalid.status).toBe(422);
  expect(((await invalid.json()) as any).error.field).toBe("to");
  rest.messageReply = () => ({ status: 401, body: { code: 20003, message: "Authenticate" } });
  const auth = await send({ to: "+972501234567", text: "x" });
  expect(auth.status).toBe(503);
  expect(((await auth.json()) as any).error.message).toContain("TWILIO_AUTH_TOKEN");
  rest.messageReply = undefined;
});

test("parallel sends to one number reach Twilio ≥ 1 s apart, each kept as its own message", async () => {
  const before = rest.messages.length;
  const results = await Promise.all(Array.from({ length: 3 }, (_, i) => api("/api/whatsapp/send", { method: "POST", body: JSON.stringify({ to: "+972507777777", text: `burst ${i}` }) })));
  expect(results.map((r) => r.status)).toEqual([201, 201, 201]);
  const times = rest.messages.slice(before).map((m) => m.at);
  expect(times.length).toBe(3);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(990);
}, 15_000);

test("conversations: paged, unread counts, mark read; an agent sees only their own contacts (404 otherwise)", async () => {
  const createAgent = await api("/api/users", { method: "POST", body: JSON.stringify({ email: "agent@example.com", password: "agent-password", role: "agent" }) });
  expect([200, 201]).toContain(createAgent.status);
  const agent = await login("agent@example.com", "agent-password");
  const conv = (await (await api("/api/conversations?page=1&limit=1")).json()) as any;
  expect(conv).toMatchObject({ page: 1, limit: 1 });
  expect(conv.items.length).toBe(1);
  expect(conv.total).toBeGreaterThanOrEqual(2);

  const dana = ((await (await api("/api/conversations?limit=200")).json()) as any).items.find((i: any) => i.contact.phone === "+972501234567");
  const read = await api(`/api/conversations/${dana.contact.id}/read`, { method: "POST" });
  expect(((await read.json()) as any).marked).toBeGreaterThanOrEqual(1);
  const after = ((await (await api("/api/conversations?limit=200")).json()) as any).items.find((i: any) => i.contact.id === dana.contact.id);
  expect(after.unread).toBe(0);

  // the agent owns nothing yet
  expect(((await (await api("/api/conversations", { token: agent })).json()) as any).items).toEqual([]);
  expect((await api(`/api/contacts/${dana.contact.id}/messages`, { token: agent })).status).toBe(404);
  expect((await api(`/api/conversations/${dana.contact.id}/read`, { method: "POST", token: agent })).status).toBe(404);
  expect((await api(dana.last.media?.[0]?.url ?? `/api/messages/${dana.last.id}/media/0`, { token: agent })).status).toBe(404);
  expect((await api("/api/whatsapp/send", { method: "POST", token: agent, body: JSON.stringify({ contactId: dana.contact.id, text: "hi" }) })).status).toBe(404);
  expect((await api("/api/whatsapp/pair", { method: "POST", token: agent, body: JSON.stringify({ phone: "+972501234567" }) })).status).toBe(403);
  expect((await api("/api/contacts/abc/messages")).status).toBe(422);
  expect((await api("/api/contacts/999999/messages")).status).toBe(404);
});

test("WhatsApp linking is off here: status says disabled, pairing explains the variable; without Twilio either, sending names what to set", async () => {
  const status = (await (await api("/api/whatsapp/status")).json()) as any;
  expect(status).toMatchObject({ state: "disabled", reason: "WHATSAPP_ENABLED=false", channels: { baileys: false, twilio: true } });
  const ready = (await (await fetch(`${server.url}/readyz`)).json()) as any;
  expect(ready.whatsapp).toBe("ok");
  expect(ready.details.whatsapp).toBe("disabled: WHATSAPP_ENABLED=false");
  const pair = await api("/api/whatsapp/pair", { method: "POST", body: JSON.stringify({ phone: "+972501234567" }) });
  expect(pair.status).toBe(501);
  expect(((await pair.json()) as any).error.message).toContain("WHATSAPP_ENABLED=true");

  const bare = await startInProcess({ ADMIN_EMAIL: "o@example.com", ADMIN_PASSWORD: "owner-password" });
  try {
    const res = await fetch(`${bare.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "o@example.com", password: "owner-password" }) });
    const token = ((await res.json()) as { token: string }).token;
    const r = await fetch(`${bare.url}/api/whatsapp/send`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ to: "+972501234567", text: "x" }) });
    expect(r.status).toBe(503);
    const msg = ((await r.json()) as any).error.message as string;
    for (const name of ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM"]) expect(msg).toContain(name);
    // and with the token unset, an unsigned webhook is accepted (signatures are checked only with TWILIO_AUTH_TOKEN)
    const w = await fetch(`${bare.url}/webhook/whatsapp/twilio`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(inbound({ Body: "unsigned ok" })) });
    expect(w.status).toBe(204);
  } finally {
    await bare.stop(1000);
  }
});
