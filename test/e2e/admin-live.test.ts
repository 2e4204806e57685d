/**
 * Live calls in a real browser: a simulated caller phones in (the real media path, Google and Twilio stand-ins) and
 * the live page shows the call as it starts, the caller's words while the call is still going on, the agent's
 * reply, and how it ended — pushed over /ws/admin, no reload. When the server drops the live socket, the page
 * reconnects by itself (backoff) without a word in the console, and the next call shows up the same way.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Browser } from "playwright-core";
import { auditPage, chromiumAvailable, launchBrowser, openPage, PHONE, signIn } from "../support/browser.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { speech } from "../support/speech.ts";

// a browser test waits on a real Chromium; 5 s is too short on a busy 2-core machine
setDefaultTimeout(30_000);

let rig: Rig;
let browser: Browser;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  rig = await startRig({ env: { AGENT_LANGUAGE: "he-IL", STT_LANGUAGE: "iw-IL", TTS_VOICE: "he-IL-Wavenet-A" } });
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

/** Places a call, waits for the greeting to finish; the caller then says `words`. */
async function callAndSay(from: string, words: string) {
  rig.google.stt.transcripts.push(words);
  const caller = await rig.call({ from });
  await caller.waitForQuiet(300, 10_000);
  const before = caller.frames.length;
  const said = caller.speak(await speech(words, "he"));
  return { caller, said, replied: () => caller.frames.length > before };
}

describe.skipIf(!chromiumAvailable)("live calls", () => {
  test(
    "a call appears when it starts; the caller's turn shows while the caller is still on the line; then the reply and the ending",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url, viewport: PHONE });
      await signIn(page, "owner@example.com", "owner-password");
      await page.goto("/app/admin/live");
      await page.waitForSelector("text=אין כרגע שיחות פעילות");
      await page.waitForSelector("main >> text=עדכונים חיים פעילים");

      const { caller, said, replied } = await callAndSay("+972501234567", "אני צריך אינסטלטור למטבח");
      const card = page.locator(`article[data-call-sid="${caller.callSid}"]`);
      await card.waitFor();
      expect(await card.innerText()).toContain("050-123-4567");
      // the greeting, as the agent turn it is
      await card.locator("li", { hasText: "שלום" }).waitFor();

      await said;
      // the caller's words on the page while the call goes on (it has not ended: no ending badge, still listed as live)
      await card.locator("li", { hasText: "אני צריך אינסטלטור למטבח" }).waitFor({ timeout: 10_000 });
      expect(await card.innerText()).toContain("בשיחה");
      expect((await rig.api(`/api/calls/${caller.callSid}`)).call.status).toBe("in-progress");
      await caller.waitUntil(replied, 10_000, "the agent's reply");
      await card.locator("li", { hasText: "תודה. איך קוראים לך?" }).waitFor();
      await auditPage(page, "live-call-in-progress-phone-he");

      await caller.hangup();
      // listed under "just ended", with how it ended
      const ended = page.locator(`section[aria-labelledby="ended-h"] article[data-call-sid="${caller.callSid}"]`);
      await ended.waitFor();
      // the scripted dialog keeps the caller as a lead when they hang up
      expect((await rig.api(`/api/calls/${caller.callSid}`)).call.outcome).toBe("lead_saved");
      await ended.locator("text=ליד נשמר").waitFor();
      guard.assertClean();
      await close();
    },
    60_000,
  );

  test(
    "the live socket dropped by the server comes back by itself, quietly; the overview and the menu follow the next call",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(page, "owner@example.com", "owner-password");
      await page.goto("/app/admin/overview");
      await page.waitForSelector("aside >> text=עדכונים חיים פעילים");

      // the server closes every admin socket (as on a restart of the feed)
      rig.server.adminHub.stop();
      await page.waitForSelector("aside >> text=מתחבר מחדש לעדכונים חיים…");
      await page.waitForSelector("aside >> text=עדכונים חיים פעילים", { timeout: 15_000 });

      const { caller, said } = await callAndSay("+972529998877", "רציתי לשאול על מחיר");
      // the overview shows the call in progress, and the menu counts it
      await page.waitForSelector("main >> text=שיחות פעילות עכשיו: 1");
      await page.waitForSelector('aside a[href="/app/admin/live"] >> text=1');
      await said;
      await page.click('main a[href="/app/admin/live"]');
      await page.locator(`article[data-call-sid="${caller.callSid}"] li`, { hasText: "רציתי לשאול על מחיר" }).waitFor({ timeout: 10_000 });
      await caller.hangup();
      await page.locator(`section[aria-labelledby="ended-h"] article[data-call-sid="${caller.callSid}"]`).waitFor();
      guard.assertClean();
      await close();
    },
    60_000,
  );
});
