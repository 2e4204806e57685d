/**
 * The inbox in a real browser against the real server, with Twilio's WhatsApp on a REST stand-in: an inbound
 * message (the signed Twilio webhook) appears live in the open inbox, then in the open thread (and is marked read);
 * a reply typed in the box reaches Twilio's REST API and its status moves live (sent → delivered → read) with the
 * status callback; a send outside WhatsApp's 24-hour window is explained in words and kept as failed.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { FakeTwilioRest } from "../fakes/twilio-rest.ts";
import { auditPage as checkPage, chromiumAvailable as available, DESKTOP, launchBrowser as launch, openPage, PHONE, signIn } from "../support/browser.ts";
import { startInProcess } from "../support/server.ts";

// a browser test waits on a real Chromium; 5 s is too short on a busy 2-core machine
setDefaultTimeout(30_000);

const SID = `AC${"7".repeat(32)}`;
const TOKEN = "inbox-ui-token";
const BASE = "https://agent.example.com";
const FROM = "whatsapp:+14155238886";
/** A 1×1 PNG: a photo the customer sent. */
const PNG = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="), (c) => c.charCodeAt(0));

let rest: FakeTwilioRest;
let server: Awaited<ReturnType<typeof startInProcess>>;
let browser: Browser;
let seq = 0;
const msgSid = () => `SM${(++seq).toString(16).padStart(32, "e")}`;

beforeAll(async () => {
  if (!available) return;
  rest = new FakeTwilioRest().start();
  server = await startInProcess({
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_WHATSAPP_FROM: FROM,
    TWILIO_API_URL: rest.url,
    PUBLIC_BASE_URL: BASE,
    ADMIN_EMAIL: "owner@example.com",
    ADMIN_PASSWORD: "owner-password",
  });
  browser = await launch();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop(1000);
  rest?.stop();
});

/** Posts a form to a webhook as Twilio would, signed for PUBLIC_BASE_URL + path. */
async function webhook(path: string, params: Record<string, string>) {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": getExpectedTwilioSignature(TOKEN, `${BASE}${path}`, params) },
    body: new URLSearchParams(params),
  });
  expect(res.status).toBe(204);
}
const inbound = (body: string, extra: Record<string, string> = {}) =>
  webhook("/webhook/whatsapp/twilio", { MessageSid: msgSid(), AccountSid: SID, From: "whatsapp:+972501234567", To: FROM, Body: body, NumMedia: "0", ProfileName: "דנה כהן", WaId: "972501234567", ...extra });


test.skipIf(!available)(
  "a message arrives live, is read in its thread, and the reply box sends through Twilio with live statuses; errors in words",
  async () => {
    const { page, guard, close } = await openPage(browser, { baseUrl: server.url, viewport: DESKTOP });
    await signIn(page, "owner@example.com", "owner-password");
    await page.goto("/app/admin/inbox");
    await page.getByText("עדיין אין הודעות").waitFor();
    await page.getByText("עדכונים חיים פעילים").waitFor(); // the live socket is open before the message comes

    // a photo with a caption arrives while the inbox is open: the conversation appears, unread
    const mediaPath = `/2010-04-01/Accounts/${SID}/Messages/MM${"1".repeat(32)}/Media/ME${"2".repeat(32)}`;
    rest.media.set(mediaPath, { bytes: PNG, mime: "image/png" });
    // the photo downloads slowly: the message shows first, the photo joins it live when it arrives
    let releaseMedia!: () => void;
    rest.holdMedia = new Promise<void>((r) => (releaseMedia = r));
    await inbound("שלום, אפשר פרטים על התיקון?", { NumMedia: "1", MediaUrl0: `${rest.url}${mediaPath}`, MediaContentType0: "image/png" });
    const row = page.locator('[data-testid="conversations"] a', { hasText: "דנה כהן" });
    await row.waitFor();
    expect(await row.locator('[data-testid="unread"]').innerText()).toContain("1");
    await checkPage(page, "inbox-he-desktop-list");

    // opening the thread shows the photo and the text, and marks it read
    await row.click();
    await page.waitForURL(/\/app\/admin\/inbox\/\d+$/);
    const thread = page.locator('[data-testid="thread"]');
    await thread.getByText("שלום, אפשר פרטים על התיקון?").waitFor();
    expect(await thread.locator('img[src^="/api/messages/"]').count()).toBe(0);
    releaseMedia();
    rest.holdMedia = undefined;
    await thread.locator('img[src^="/api/messages/"]').waitFor();
    expect(await page.evaluate(() => (document.querySelector('[data-testid="thread"] img') as HTMLImageElement).naturalWidth)).toBe(1);
    await row.locator('[data-testid="unread"]').waitFor({ state: "detached" });

    // a second message arrives while the thread is open: it appears in it, and stays read
    await inbound("אני בבית עד 17:00");
    await thread.getByText("אני בבית עד 17:00").waitFor();
    await row.getByText("אני בבית עד 17:00").waitFor();
    expect(await row.locator('[data-testid="unread"]').count()).toBe(0);

    // the reply goes out through Twilio's REST API…
    const before = rest.messages.length;
    await page.getByPlaceholder("כתבו הודעה…").fill("נגיע היום ב-16:00. אפשר לשלם כאן מראש.");
    await page.getByRole("button", { name: "שליחה" }).click();
    const sent = thread.locator('[data-direction="out"]', { hasText: "נגיע היום ב-16:00" });
    await sent.locator('[data-status="sent"]').waitFor();
    expect(rest.messages.length).toBe(before + 1);
    const form = rest.messages.at(-1)!.form;
    expect(form).toMatchObject({ To: "whatsapp:+972501234567", From: FROM, Body: "נגיע היום ב-16:00. אפשר לשלם כאן מראש.", StatusCallback: `${BASE}/webhook/whatsapp/status` });
    // …and Twilio's status callbacks move its tick live, out of order too
    const providerId = (await (await fetch(`${server.url}/api/conversations`, { headers: await bearer() })).json()) as { items: Array<{ last: { providerId: string } }> };
    const twilioSid = providerId.items[0]!.last.providerId;
    await webhook("/webhook/whatsapp/status", { MessageSid: twilioSid, MessageStatus: "delivered", AccountSid: SID });
    await sent.locator('[data-status="delivered"]').waitFor();
    await webhook("/webhook/whatsapp/status", { MessageSid: twilioSid, MessageStatus: "read", AccountSid: SID });
    await sent.locator('[data-status="read"]').waitFor();
    await webhook("/webhook/whatsapp/status", { MessageSid: twilioSid, MessageStatus: "delivered", AccountSid: SID });
    await page.waitForTimeout(300);
    expect(await sent.locator('[data-status="read"]').count()).toBe(1);
    expect(await sent.getByRole("img", { name: "נקראה" }).count()).toBe(1);
    await checkPage(page, "inbox-he-desktop-thread");

    // outside the 24-hour window: said in words, the message kept as failed
    rest.messageReply = () => ({ status: 400, body: { code: 63016, message: "Failed to send freeform message because you are outside the allowed window.", status: 400 } });
    guard.allow("/api/whatsapp/send", 409);
    await page.getByPlaceholder("כתבו הודעה…").fill("תזכורת: מחר ב-10:00");
    await page.getByRole("button", { name: "שליחה" }).click();
    await page.getByRole("alert").getByText("בתוך 24 שעות").waitFor();
    await thread.locator('[data-direction="out"]', { hasText: "תזכורת: מחר ב-10:00" }).locator('[data-status="failed"]').waitFor();
    rest.messageReply = undefined;

    // a phone: the thread alone, with a way back to the list; then English
    await page.setViewportSize(PHONE);
    await checkPage(page, "inbox-he-390-thread");
    await page.getByRole("button", { name: "לכל השיחות" }).click();
    await row.waitFor();
    await checkPage(page, "inbox-he-390-list");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByText("WhatsApp inbox").waitFor();
    expect(await page.getAttribute("html", "dir")).toBe("ltr");
    await checkPage(page, "inbox-en-390-list");
    await page.setViewportSize(DESKTOP);
    await row.click();
    await thread.getByRole("img", { name: "Not sent" }).waitFor();
    await checkPage(page, "inbox-en-desktop-thread");
    guard.assertClean();
    await close();
  },
  90_000,
);

async function bearer() {
  const res = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }) });
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
}
