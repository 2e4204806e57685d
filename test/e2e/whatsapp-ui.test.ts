/**
 * The WhatsApp linking page in a real browser against the real server and supervisor. WhatsApp's side of linking
 * is played by a stand-in worker speaking the worker protocol (test/fakes/whatsapp-worker-standin.ts — Baileys
 * cannot reach a QR code without WhatsApp's own servers): the QR appears live with the account's restrictions
 * explained, pairing by a code for a number in local form links the phone (live), unlinking asks first and brings
 * a fresh QR; an agent sees the state but neither QR nor actions; with WHATSAPP_ENABLED off the page says how to
 * turn it on.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { auditPage as checkPage, chromiumAvailable as available, DESKTOP, launchBrowser as launch, openPage, PHONE, signIn } from "../support/browser.ts";
import { startInProcess } from "../support/server.ts";

// a browser test waits on a real Chromium; 5 s is too short on a busy 2-core machine
setDefaultTimeout(30_000);

let server: Awaited<ReturnType<typeof startInProcess>>;
let browser: Browser;
beforeAll(async () => {
  if (!available) return;
  server = await startInProcess(
    { WHATSAPP_ENABLED: "true", ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" },
    { whatsapp: { workerUrl: new URL("../fakes/whatsapp-worker-standin.ts", import.meta.url).href, printQr: () => {} } },
  );
  const login = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }) });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${server.url}/api/users`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ email: "agent@example.com", password: "agent-password", role: "agent" }),
  });
  expect(res.status).toBe(201);
  browser = await launch();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop(1000);
});


test.skipIf(!available)(
  "QR shown live with WhatsApp's restrictions explained; pairing by code links the phone; unlink asks first and brings a new QR",
  async () => {
    const { page, guard, close } = await openPage(browser, { baseUrl: server.url, viewport: DESKTOP });
    await signIn(page, "owner@example.com", "owner-password");
    await page.goto("/app/admin/settings/whatsapp");
    await page.waitForSelector('[data-state="qr"]');
    const qr = page.getByRole("img", { name: "קוד QR לסריקה בוואטסאפ" });
    await qr.waitFor();
    expect(await page.evaluate(() => (document.querySelector('[data-testid="qr"]') as HTMLImageElement).naturalWidth)).toBeGreaterThan(20);
    const restrictions = page.locator('[data-testid="restrictions"]');
    await restrictions.getByText("וואטסאפ חסם זמנית פתיחת שיחות חדשות").waitFor();
    expect(await restrictions.innerText()).toContain("אזהרה ראשונה");
    expect(await restrictions.innerText()).toContain("40 מתוך 50");
    await checkPage(page, "whatsapp-he-desktop-qr");

    // the number in its local form; the code comes back formatted, and the phone "types" it
    await page.getByLabel("מספר הוואטסאפ של העסק").fill("050-123-4567");
    await page.getByRole("button", { name: "קבלת קוד" }).click();
    expect(await page.locator('[data-testid="pairing-code"]').innerText()).toBe("K7PD-2QXA");
    await page.waitForSelector('[data-state="ok"]', { timeout: 10_000 });
    await page.getByText("050-123-4567").first().waitFor();
    expect(await qr.count()).toBe(0);
    await page.setViewportSize(PHONE);
    await checkPage(page, "whatsapp-he-390-linked");

    // unlinking asks first; then a new QR comes (live)
    await page.getByRole("button", { name: "ניתוק הטלפון" }).click();
    await page.getByRole("alertdialog").waitFor();
    await page.getByRole("button", { name: "ביטול" }).click();
    expect(await page.getByRole("alertdialog").count()).toBe(0);
    await page.getByRole("button", { name: "ניתוק הטלפון" }).click();
    await page.getByRole("button", { name: "כן, לנתק" }).click();
    await page.waitForSelector('[data-state="qr"]', { timeout: 10_000 });
    await qr.waitFor();
    await checkPage(page, "whatsapp-he-390-qr");
    await page.getByRole("button", { name: "English" }).click();
    await page.getByText("Waiting for a scan").waitFor();
    await checkPage(page, "whatsapp-en-390-qr");
    await page.setViewportSize(DESKTOP);
    await checkPage(page, "whatsapp-en-desktop-qr");
    guard.assertClean();
    await close();
  },
  60_000,
);

test.skipIf(!available)("an agent sees the state but no QR, no code form and no actions", async () => {
  const { page, guard, close } = await openPage(browser, { baseUrl: server.url, viewport: PHONE });
  await signIn(page, "agent@example.com", "agent-password");
  await page.goto("/app/admin/settings/whatsapp");
  await page.waitForSelector("[data-state]");
  await page.getByText("רק בעלים ומנהלים יכולים לקשר או לנתק את הטלפון.").waitFor();
  expect(await page.locator('[data-testid="qr"]').count()).toBe(0);
  expect(await page.getByLabel("מספר הוואטסאפ של העסק").count()).toBe(0);
  expect(await page.getByRole("button", { name: "ניתוק הטלפון" }).count()).toBe(0);
  await checkPage(page, "whatsapp-he-390-agent");
  guard.assertClean();
  await close();
});

test.skipIf(!available)("with WHATSAPP_ENABLED off the page says how to turn it on, and which Twilio settings send instead", async () => {
  const off = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" });
  try {
    const { page, guard, close } = await openPage(browser, { baseUrl: off.url, viewport: PHONE });
    await signIn(page, "owner@example.com", "owner-password");
    await page.goto("/app/admin/settings/whatsapp");
    await page.waitForSelector('[data-state="disabled"]');
    await page.getByText("WHATSAPP_ENABLED=true").waitFor();
    await page.getByText("TWILIO_WHATSAPP_FROM").waitFor();
    await checkPage(page, "whatsapp-he-390-disabled");
    guard.assertClean();
    await close();
  } finally {
    await off.stop(1000);
  }
});
