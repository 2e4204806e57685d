/**
 * The admin app in a real browser (headless Chromium): sign in, the overview, the calls list, a call's transcript,
 * Hebrew right-to-left with the English switch. CI installs Chromium (.ci/run); elsewhere the test is skipped when
 * no Chromium is installed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { startRig, type Rig } from "../support/call-rig.ts";
import { speech } from "../support/speech.ts";

const CHROMIUM = "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it`);

let rig: Rig;
let browser: Browser;
let callSid = "";
beforeAll(async () => {
  if (!available) return;
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
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

test.skipIf(!available)(
  "sign in, see the system status, open the call and read its transcript; Hebrew RTL with an English switch",
  async () => {
    const page = await browser.newPage();
    await page.goto(`${rig.server.url}/app/admin/calls`);
    await page.waitForURL("**/app/login"); // no session: sent to sign in
    expect(await page.getAttribute("html", "dir")).toBe("rtl");
    await page.fill('input[name="email"]', "owner@example.com");
    await page.fill('input[name="password"]', "wrong-password");
    await page.click('button[type="submit"]');
    await page.waitForSelector('[role="alert"]');
    await page.fill('input[name="password"]', "owner-password");
    await page.click('button[type="submit"]');
    await page.waitForURL("**/app/admin/overview");
    await page.waitForSelector("text=stt");

    await page.click('a[href="/app/admin/calls"]');
    await page.waitForSelector(`a[href="/app/admin/calls/${callSid}"]`);
    await page.click(`a[href="/app/admin/calls/${callSid}"]`);
    await page.waitForSelector("audio");
    const transcript = await page.innerText("main");
    expect(transcript).toContain("אני צריך אינסטלטור למטבח");
    expect(transcript).toContain("תודה. איך קוראים לך?");
    expect(await page.getAttribute("audio", "src")).toBe(`/api/calls/${callSid}/recording`);

    // a deep link answers with the app and lands on the same page
    await page.goto(`${rig.server.url}/app/admin/calls/${callSid}`);
    await page.waitForSelector("audio");

    await page.click("text=English");
    expect(await page.getAttribute("html", "dir")).toBe("ltr");
    await page.waitForSelector("text=Transcript");
    await page.close();
  },
  60_000,
);
