/**
 * The admin app in a real browser (headless Chromium) as a person uses it: a signed-out visit goes to the sign-in
 * page without a single failed request in the console, a wrong password is refused, signing in returns to the page
 * asked for, deep links open their page, a call's transcript seeks its recording, Hebrew is right to left with an
 * English switch, sign-out. Users and settings have files of their own (admin-users, admin-settings).
 * Every test fails on any console error or warning, page error or failed request it did not expect.
 */
import { describe, expect, test } from "bun:test";
import { browser, rig, useAdminRig } from "../support/admin-rig.ts";
import { chromiumAvailable, openPage, signIn } from "../support/browser.ts";
import { speech } from "../support/speech.ts";

let callSid = "";

useAdminRig(async () => {
  rig.google.stt.transcripts.push("אני צריך אינסטלטור למטבח");
  const caller = await rig.call({ from: "+972501234567" });
  callSid = caller.callSid;
  await caller.waitForQuiet(300, 8000);
  const before = caller.frames.length;
  await caller.speak(await speech("אני צריך אינסטלטור למטבח", "he"));
  await caller.waitUntil(() => caller.frames.length > before, 8000, "reply");
  await caller.waitForQuiet(400, 8000);
  await caller.hangup();
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
