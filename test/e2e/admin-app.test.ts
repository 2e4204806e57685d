/**
 * The admin app in a real browser (headless Chromium) as a person uses it: a signed-out visit goes to the sign-in
 * page without a single failed request in the console, a wrong password is refused, signing in returns to the page
 * asked for, deep links open their page, a call's transcript seeks its recording, Hebrew is right to left with an
 * English switch, sign-out; an invited user sets a password from the link and signs in; one's own password change.
 * Every test fails on any console error or warning, page error or failed request it did not expect.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { chromiumAvailable, launchBrowser, openPage, PHONE, signIn } from "../support/browser.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { speech } from "../support/speech.ts";

let rig: Rig;
let browser: Browser;
let callSid = "";

beforeAll(async () => {
  if (!chromiumAvailable) return;
  rig = await startRig({ env: { AGENT_LANGUAGE: "he-IL", STT_LANGUAGE: "iw-IL", TTS_VOICE: "he-IL-Wavenet-A" } });
  rig.google.stt.transcripts.push("אני צריך אינסטלטור למטבח");
  const caller = await rig.call({ from: "+972501234567" });
  callSid = caller.callSid;
  await caller.waitForQuiet(300, 8000);
  const before = caller.frames.length;
  await caller.speak(await speech("אני צריך אינסטלטור למטבח", "he"));
  await caller.waitUntil(() => caller.frames.length > before, 8000, "reply");
  await caller.waitForQuiet(400, 8000);
  await caller.hangup();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

describe.skipIf(!chromiumAvailable)("signing in and finding one's way", () => {
  test(
    "signed out → sign-in page (no failed request logged), wrong password refused, signed in → back to the page asked for",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url });
      await page.goto("/app/admin/calls?day=all");
      await page.waitForURL("**/app/login?next=*");
      expect(await page.getAttribute("html", "dir")).toBe("rtl");
      expect(await page.getAttribute("html", "lang")).toBe("he");
      // the visit so far: not one failed request or console message
      guard.assertClean();

      guard.allow("/api/auth/login", 401);
      await page.fill('input[name="email"]', "owner@example.com");
      await page.fill('input[name="password"]', "wrong-password");
      await page.click('button[type="submit"]');
      await page.waitForSelector('[role="alert"]');
      expect(await page.innerText('[role="alert"]')).toBe("אימייל או סיסמה שגויים");

      await page.fill('input[name="password"]', "owner-password");
      await page.press('input[name="password"]', "Enter");
      await page.waitForURL("**/app/admin/calls?day=all");
      await page.waitForSelector(`a[href="/app/admin/calls/${callSid}"]`);
      expect(await page.title()).toContain("שיחות");
      guard.assertClean();
      await close();
    },
    30_000,
  );

  test(
    "deep links open their page directly; the menu marks where you are; sign out ends the session",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(page, "owner@example.com", "owner-password");
      for (const [url, heading] of [
        ["/app/admin/contacts/board", "אנשי קשר"],
        ["/app/admin/tasks?view=overdue", "משימות"],
        ["/app/admin/settings/users", "הגדרות"],
        ["/app/admin/live", "שיחות חיות"],
        [`/app/admin/calls/${callSid}`, "שיחה"],
      ] as const) {
        const res = await page.goto(url);
        expect(res?.status()).toBe(200);
        await page.waitForSelector("main h1");
        expect(await page.innerText("main h1")).toContain(heading);
        expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(url);
      }
      await page.goto("/app/admin/tasks?view=overdue");
      await page.waitForSelector('aside a[aria-current="page"][href="/app/admin/tasks"]');
      await page.waitForSelector('main a[aria-current="page"][href*="view=overdue"]');
      // /app alone: to the overview
      await page.goto("/app");
      await page.waitForURL("**/app/admin/overview");

      await page.click("aside >> text=יציאה");
      await page.waitForURL("**/app/login");
      // the session is over on the server too: a deep link goes back to sign-in
      await page.goto("/app/admin/contacts");
      await page.waitForURL("**/app/login?next=*");
      guard.assertClean();
      await close();
    },
    30_000,
  );

  test(
    "a call's page: transcript, per-turn reply time, events; a turn's button seeks the recording to that moment; English switch",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(page, "owner@example.com", "owner-password");
      await page.goto("/app/admin/calls");
      await page.click(`a[href="/app/admin/calls/${callSid}"]`);
      await page.waitForSelector("audio");
      const main = await page.innerText("main");
      expect(main).toContain("אני צריך אינסטלטור למטבח");
      expect(main).toContain("תודה. איך קוראים לך?");
      expect(main).toMatch(/תגובה תוך \d+ מ״ש/);
      expect(main).toContain("EoU_ms");
      expect(await page.getAttribute("audio", "src")).toBe(`/api/calls/${callSid}/recording`);
      await page.waitForFunction(() => (document.querySelector("audio") as HTMLAudioElement).readyState >= 1);

      // the caller's turn: the player jumps to where it was said (not the start of the recording)
      const turns = page.locator("main ol > li");
      const callerTurn = turns.filter({ hasText: "אני צריך אינסטלטור למטבח" });
      const label = await callerTurn.locator('button span[dir="ltr"]').innerText();
      const [m, s] = label.trim().split(":").map(Number) as [number, number];
      expect(m * 60 + s).toBeGreaterThan(0);
      await callerTurn.locator("button").click();
      await page.waitForFunction(() => (document.querySelector("audio") as HTMLAudioElement).currentTime > 0);
      const at = await page.evaluate(() => (document.querySelector("audio") as HTMLAudioElement).currentTime);
      expect(Math.abs(at - (m * 60 + s))).toBeLessThan(1.5);
      await page.evaluate(() => (document.querySelector("audio") as HTMLAudioElement).pause());

      await page.click("aside >> text=English");
      expect(await page.getAttribute("html", "dir")).toBe("ltr");
      await page.waitForSelector("text=Transcript");
      expect(await page.innerText("main")).toMatch(/reply in \d+ ms/);
      // the choice is kept
      await page.reload();
      await page.waitForSelector("text=Transcript");
      expect(await page.getAttribute("html", "lang")).toBe("en");
      guard.assertClean();
      await close();
    },
    30_000,
  );
});

describe.skipIf(!chromiumAvailable)("users", () => {
  test(
    "an owner invites a user: the one-time link is shown; the user opens it, sets a password and is signed in; the link works once",
    async () => {
      const owner = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(owner.page, "owner@example.com", "owner-password");
      await owner.page.goto("/app/admin/settings/users");
      await owner.page.click("main >> text=הזמנה");
      await owner.page.fill('dialog input[name="email"]', "invited@example.com");
      await owner.page.fill('dialog input[name="name"]', "רון");
      await owner.page.selectOption('dialog select[name="role"]', "admin");
      await owner.page.click('dialog button[type="submit"]');
      const link = await owner.page.inputValue("#set-password-link");
      expect(link).toMatch(/\/app\/set-password\?token=/);
      await owner.page.click('dialog button[aria-label="סגירה"]');
      await owner.page.waitForSelector('li[data-user="invited@example.com"] >> text=הוזמן, טרם נכנס');
      owner.guard.assertClean();

      // the invited user, on their phone, in a browser of their own
      const invited = await openPage(browser, { baseUrl: rig.server.url, viewport: PHONE });
      await invited.page.goto(link);
      await invited.page.waitForSelector("text=invited@example.com");
      await invited.page.fill('input[name="password"]', "invited-password-1");
      await invited.page.fill('input[name="repeat"]', "invited-password-1");
      await invited.page.click('button[type="submit"]');
      await invited.page.waitForURL("**/app/admin/overview");
      await invited.page.click('button[aria-haspopup="dialog"]');
      await invited.page.waitForSelector("dialog[open] >> text=רון");
      invited.guard.assertClean();
      await invited.close();

      // used once: the same link now says so (its check answers 401, expected here)
      const again = await openPage(browser, { baseUrl: rig.server.url });
      again.guard.allow("/api/auth/set-password/check", 401);
      await again.page.goto(link);
      await again.page.waitForSelector('[role="alert"]');
      again.guard.assertClean();
      await again.close();

      // the owner deactivates and reactivates them
      await owner.page.reload();
      const row = owner.page.locator('li[data-user="invited@example.com"]');
      await row.locator("text=השבתה").click();
      await row.locator("text=מושבת").waitFor();
      await row.locator("text=הפעלה מחדש").click();
      await row.locator("text=השבתה").waitFor();
      owner.guard.assertClean();
      await owner.close();
    },
    40_000,
  );

  test(
    "changing one's own password: a wrong current password is named; the right one changes it",
    async () => {
      await rig.api("/api/users", { method: "POST", body: JSON.stringify({ email: "changer@example.com", role: "agent", password: "first-password" }) });
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url, lang: "en" });
      await signIn(page, "changer@example.com", "first-password");
      await page.goto("/app/admin/settings/account");
      guard.allow("/api/auth/password", 403);
      await page.fill('input[name="currentPassword"]', "not-my-password");
      await page.fill('input[name="newPassword"]', "second-password");
      await page.fill('input[name="repeat"]', "second-password");
      await page.click('main button[type="submit"]');
      await page.waitForSelector("text=is not your current password");
      await page.fill('input[name="currentPassword"]', "first-password");
      await page.click('main button[type="submit"]');
      await page.waitForSelector("text=Password changed");
      const res = await fetch(`${rig.server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "changer@example.com", password: "second-password" }) });
      expect(res.status).toBe(200);
      guard.assertClean();
      await close();
    },
    30_000,
  );
});

describe.skipIf(!chromiumAvailable)("a session that ends", () => {
  test(
    "deactivated while using the app: the next request finds the session gone and the app goes to sign-in",
    async () => {
      const created = await rig.api("/api/users", { method: "POST", body: JSON.stringify({ email: "leaving@example.com", role: "admin", password: "leaving-password" }) });
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(page, "leaving@example.com", "leaving-password");
      await page.goto("/app/admin/contacts");
      await page.waitForSelector("main h1");
      await rig.api(`/api/users/${created.user.id}/deactivate`, { method: "POST" });
      // the page's next requests answer 401 (expected here: that is how the app learns it)
      for (let i = 0; i < 6; i++) guard.allow(/\/api\/(?!auth\/)/, 401);
      await page.click('aside a[href="/app/admin/tasks"]');
      await page.waitForURL("**/app/login?next=*");
      expect(decodeURIComponent(page.url())).toContain("next=/app/admin/tasks");
      guard.assertClean();
      await close();
    },
    30_000,
  );
});

describe.skipIf(!chromiumAvailable)("settings", () => {
  test(
    "the business profile: a bad value is named under its field; good ones are saved (number in any form → E.164)",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(page, "owner@example.com", "owner-password");
      await page.goto("/app/admin/settings");
      await page.fill('input[name="name"]', "מנעולן הצפון");
      await page.fill('textarea[name="greeting"]', "שלום, הגעתם למנעולן הצפון. במה אפשר לעזור?");
      await page.fill('input[name="eouSilenceMs"]', "900");
      await page.fill('input[name="transferNumber"]', "050-765-4321");
      await page.fill('textarea[name="phraseHints"]', "צילינדר\nרב-בריח");
      await page.selectOption('select[name="timezone"]', "Asia/Jerusalem");
      guard.allow("/api/settings/business", 422);
      await page.click('main button[type="submit"]');
      await page.waitForSelector('input[name="eouSilenceMs"][aria-invalid="true"]');
      expect(await page.innerText("main")).toContain("Too big");
      await page.fill('input[name="eouSilenceMs"]', "450");
      await page.click('main button[type="submit"]');
      await page.waitForSelector("text=נשמר. השינוי יחול מהשיחה הבאה.");
      expect(await rig.api("/api/settings/business")).toMatchObject({ name: "מנעולן הצפון", eouSilenceMs: 450, transferNumber: "+972507654321", phraseHints: ["צילינדר", "רב-בריח"], timezone: "Asia/Jerusalem" });
      guard.assertClean();
      await close();
    },
    30_000,
  );

  test(
    "custom fields: add a choice field with its options; the contact form offers it; the providers' state is shown",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url, lang: "en" });
      await signIn(page, "owner@example.com", "owner-password");
      await page.goto("/app/admin/settings/fields");
      await page.click("main >> text=Add field");
      await page.fill('input[name="key-0"]', "lock_type");
      await page.fill('input[name="he-0"]', "סוג מנעול");
      await page.fill('input[name="en-0"]', "Lock type");
      await page.selectOption('select[name="type-0"]', "select");
      await page.fill('input[name="options-0"]', "cylinder, deadbolt");
      await page.check("main >> text=Required");
      await page.click("main >> text=Save");
      await page.waitForSelector("main >> text=Saved.");
      expect((await rig.api("/api/settings/contact-fields")).fields).toEqual([{ key: "lock_type", label: { he: "סוג מנעול", en: "Lock type" }, type: "select", options: ["cylinder", "deadbolt"], required: true }]);
      await page.goto("/app/admin/contacts");
      await page.click("main >> text=New contact");
      const select = page.locator('dialog[open] select[name="fields.lock_type"]');
      expect(await select.locator("option").allInnerTexts()).toEqual(["—", "cylinder", "deadbolt"]);
      await page.keyboard.press("Escape");

      await page.goto("/app/admin/settings/providers");
      await page.waitForSelector('[data-component="stt"]');
      expect(await page.innerText('[data-component="db"]')).toContain("OK");
      expect(await page.innerText("main")).toContain("Built-in script");
      guard.assertClean();
      await close();
    },
    30_000,
  );
});
