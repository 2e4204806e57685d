/**
 * The stage of the admin app's browser tests that need a call rig: a Hebrew-speaking server (the call rig, signed-in
 * owner owner@example.com / owner-password) and one headless Chromium, started once per test file and stopped after
 * it. Nothing starts when Chromium is missing (the tests skip). `rig` and `browser` are live bindings.
 */
import { afterAll, beforeAll } from "bun:test";
import type { Browser } from "playwright-core";
import { chromiumAvailable, launchBrowser } from "./browser.ts";
import { startRig, type Rig } from "./call-rig.ts";

export let rig: Rig;
export let browser: Browser;

/** Registers the file's start and stop; `prepare` runs once the rig is up, before the browser starts (e.g. to place a call). */
export function useAdminRig(prepare?: () => Promise<void>): void {
  beforeAll(async () => {
    if (!chromiumAvailable) return;
    rig = await startRig({ env: { AGENT_LANGUAGE: "he-IL", STT_LANGUAGE: "iw-IL", TTS_VOICE: "he-IL-Wavenet-A" } });
    await prepare?.();
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await rig?.stop();
  });
}
