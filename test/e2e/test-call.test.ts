/**
 * The admin app's test call in a real browser against the real server (Google's gRPC stand-in for speech):
 * - voice: Chromium's fake microphone plays a Hebrew sentence made with espeak-ng; the page captures it in its
 *   AudioWorklet, sends 20 ms μ-law frames over the media WebSocket as Twilio would, the agent answers, its audio
 *   is played (frames received, audio played, marks confirmed) and the transcript shows both turns live;
 * - typed: an agent-role user whose browser refuses the microphone is told so in words, types a turn instead,
 *   and sees the agent's reply — the call's events reach the user who placed it.
 * Both calls end up in the CRM as test calls with their turns. Chromium is Debian's (.ci/run installs it).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { decode } from "../../src/audio/mulaw.ts";
import { resamplePcm16 } from "../../src/audio/resample.ts";
import { wavHeader } from "../../src/audio/riff.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { auditPage, chromiumAvailable as available, DESKTOP, launchBrowser as launch, openPage, PHONE, signIn } from "../support/browser.ts";
import { tempDir } from "../support/server.ts";
import { speech } from "../support/speech.ts";

// a browser test waits on a real Chromium; 5 s is too short on a busy 2-core machine
setDefaultTimeout(30_000);

const SAID = "אני צריך אינסטלטור למטבח";
/** The scripted dialog's answer to a first request (no LLM configured). */
const REPLY = "תודה. איך קוראים לך?";

/**
 * What Chromium's fake microphone plays (16-bit PCM WAV, 48 kHz): `leadSeconds` of silence, the sentence, then
 * silence (played once: `%noloop`).
 */
async function microphoneWav(leadSeconds: number): Promise<string> {
  const voice = resamplePcm16(decode(await speech(SAID, "he")), 8000, 48000);
  const lead = Math.round(48000 * leadSeconds);
  const pcm = new Int16Array(lead + voice.length + 48000 * 2);
  pcm.set(voice, lead);
  const bytes = new Uint8Array(pcm.buffer);
  const file = join(tempDir("mic-"), "caller.wav");
  writeFileSync(file, Buffer.concat([wavHeader({ format: 1, channels: 1, sampleRate: 48000, bitsPerSample: 16, dataBytes: bytes.length }), bytes]));
  return file;
}

let rig: Rig;
let voiceBrowser: Browser;
let deniedBrowser: Browser;
let bargeBrowser: Browser;
beforeAll(async () => {
  if (!available) return;
  rig = await startRig({ env: { AGENT_LANGUAGE: "he-IL", STT_LANGUAGE: "iw-IL", TTS_VOICE: "he-IL-Wavenet-A" } });
  // a short greeting (the stand-in's TTS speaks 20 ms a character), over well before the fake microphone speaks
  rig.google.tts.msPerChar = 20;
  await rig.api("/api/users", { method: "POST", body: JSON.stringify({ email: "agent@example.com", password: "agent-password", role: "agent" }) });
  const fakeMic = (wav: string) => ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${wav}%noloop`, "--autoplay-policy=no-user-gesture-required"];
  // the voice test speaks after the greeting; the barge-in test speaks over it
  voiceBrowser = await launch(fakeMic(await microphoneWav(4)));
  bargeBrowser = await launch(fakeMic(await microphoneWav(1.2)));
  // no fake permission UI: the microphone prompt is refused, as when an owner blocks it
  deniedBrowser = await launch(["--use-fake-device-for-media-stream", "--deny-permission-prompts"]);
}, 60_000);
afterAll(async () => {
  await voiceBrowser?.close();
  await deniedBrowser?.close();
  await bargeBrowser?.close();
  await rig?.stop();
});

const stat = async (page: Page, id: string) => Number(await page.getAttribute(`[data-testid="${id}"]`, "data-value"));

/** The call as the CRM kept it. */
async function record(callSid: string) {
  return (await rig.api(`/api/calls/${callSid}`)) as { call: { isTest: boolean; status: string }; turns: Array<{ role: string; text: string; latencyMs: number | null }> };
}

test.skipIf(!available)(
  "voice: the fake microphone's sentence reaches the agent over the media stream, the reply is played and both turns appear live",
  async () => {
    rig.google.stt.transcripts.push(SAID);
    // the browser's noise suppression thins the sentence's fricatives to near silence for ~260 ms between words:
    // the stand-in recognizer ends an utterance after 400 ms of silence, as a real recognizer would not split there
    rig.google.stt.finalAfterSilenceMs = 400;
    const { page, guard, close } = await openPage(voiceBrowser, { baseUrl: rig.server.url, viewport: DESKTOP });
    await signIn(page, "owner@example.com", "owner-password");
    await page.goto("/app/admin/test-call");
    expect(await page.getAttribute("html", "dir")).toBe("rtl");
    await page.getByRole("button", { name: "התחלת שיחה" }).click();
    await page.waitForSelector('[data-phase="live"]', { timeout: 15_000 });

    // the caller's words (recognized by the stand-in from the microphone's audio) and the agent's answer, live
    const caller = page.locator('[data-role="caller"]', { hasText: SAID });
    const agent = page.locator('[data-role="agent"]', { hasText: REPLY });
    await caller.waitFor({ timeout: 30_000 });
    await agent.waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-role="caller"] p').allInnerTexts()).toEqual([SAID]);
    expect(await agent.locator('[data-testid="latency"]').count()).toBe(1);
    // the agent's audio really played: frames came in, were played through the worklet, marks were confirmed
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="marks"]')?.getAttribute("data-value")) >= 2, undefined, { timeout: 15_000 });
    expect(await stat(page, "frames-received")).toBeGreaterThan(50);
    expect(await stat(page, "played")).toBeGreaterThan(1000);
    expect(await stat(page, "frames-sent")).toBeGreaterThan(200);
    expect(await page.locator('a[href^="/app/admin/calls/"]').count()).toBe(0); // the record's link comes once the call is over

    await auditPage(page, "test-call-he-desktop");
    await page.setViewportSize(PHONE);
    await auditPage(page, "test-call-he-390");

    await page.getByRole("button", { name: "ניתוק" }).click();
    await page.waitForSelector('[data-phase="ended"]');
    const href = (await page.getAttribute('a[href^="/app/admin/calls/"]', "href"))!;
    const sid = href.split("/").pop()!;
    const saved = await record(sid);
    expect(saved.call.isTest).toBe(true);
    expect(saved.turns.map((t) => [t.role, t.text])).toEqual(expect.arrayContaining([["caller", SAID], ["agent", REPLY]]));
    guard.assertClean();
    await close();
  },
  90_000,
);

test.skipIf(!available)(
  "typed: with the microphone refused, an agent-role user is told why, types a turn and sees the agent's reply (English)",
  async () => {
    rig.google.stt.transcripts.length = 0;
    const { page, guard, close } = await openPage(deniedBrowser, { baseUrl: rig.server.url, viewport: PHONE, lang: "en" });
    await signIn(page, "agent@example.com", "agent-password");
    await page.goto("/app/admin/test-call");
    expect(await page.getAttribute("html", "dir")).toBe("ltr");
    await page.getByRole("button", { name: "Start call" }).click();
    await page.waitForSelector('[data-phase="live"]', { timeout: 15_000 });
    await page.getByText("Microphone access is blocked").waitFor();

    // the greeting has played (its mark came back) before the typed turn
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="marks"]')?.getAttribute("data-value")) >= 1, undefined, { timeout: 15_000 });
    await page.getByLabel("Type instead of speaking").fill("I need a plumber for the kitchen");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator('[data-role="caller"]', { hasText: "I need a plumber for the kitchen" }).waitFor({ timeout: 15_000 });
    await page.locator('[data-role="agent"]', { hasText: REPLY }).waitFor({ timeout: 15_000 });
    expect(await page.inputValue('input[name="say"]')).toBe("");

    await auditPage(page, "test-call-en-390-typed");
    await page.setViewportSize(DESKTOP);
    await auditPage(page, "test-call-en-desktop-typed");

    await page.getByRole("button", { name: "Hang up" }).click();
    await page.waitForSelector('[data-phase="ended"]');
    guard.assertClean();
    await close();
  },
  90_000,
);

test.skipIf(!available)(
  "barge-in: speaking over the greeting makes the server send clear; the page drops the queued audio, confirms the marks, and the greeting is kept as interrupted",
  async () => {
    rig.google.stt.transcripts.push(SAID);
    rig.google.stt.finalAfterSilenceMs = 400;
    // a long greeting (the stand-in speaks 100 ms a character) that the caller talks over
    rig.google.tts.msPerChar = 100;
    const { page, guard, close } = await openPage(bargeBrowser, { baseUrl: rig.server.url, viewport: PHONE });
    try {
      await signIn(page, "owner@example.com", "owner-password");
      await page.goto("/app/admin/test-call");
      await page.getByRole("button", { name: "התחלת שיחה" }).click();
      await page.waitForSelector('[data-phase="live"]', { timeout: 15_000 });
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="clears"]')?.getAttribute("data-value")) >= 1, undefined, { timeout: 20_000 });
      // the greeting's turn says it was cut short; the caller's words are answered
      await page.locator('[data-role="agent"]', { hasText: "נקטע" }).waitFor({ timeout: 20_000 });
      await page.locator('[data-role="caller"]', { hasText: SAID }).waitFor({ timeout: 20_000 });
      await page.locator('[data-role="agent"]', { hasText: REPLY }).waitFor({ timeout: 30_000 });
      // the reply after the interruption plays to its end: its mark comes back
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="marks"]')?.getAttribute("data-value")) >= 1, undefined, { timeout: 15_000 });
      await page.getByRole("button", { name: "ניתוק" }).click();
      await page.waitForSelector('[data-phase="ended"]');
      guard.assertClean();
    } finally {
      rig.google.tts.msPerChar = 20;
      await close();
    }
  },
  90_000,
);
