/**
 * Headless Chromium for the live pages' browser tests (test call, inbox, WhatsApp, payments): the flags the project
 * runs Chromium with, a guard that fails a test on any console error or warning, axe-core under the app's own CSP
 * (injected through the DevTools protocol, which the page's policy does not govern), screenshots under
 * test/artifacts, and sign-in through the real login page.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "bun:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "./server.ts";

export const CHROMIUM = "/usr/bin/chromium";
export const BASE_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
export const ARTIFACTS = join(ROOT, "test", "artifacts");

export function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, ...extraArgs] });
}

/** Collects console errors and warnings and uncaught page errors; `problems` must stay empty. */
export function consoleGuard(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()} @ ${m.location().url}`);
  });
  page.on("pageerror", (e) => void problems.push(`pageerror: ${e.message}`));
  return { problems };
}

const AXE_SOURCE = readFileSync(join(ROOT, "node_modules", "axe-core", "axe.min.js"), "utf8");

/** axe-core's serious and critical WCAG 2 A/AA violations of the page as it is now (rule id: the first targets). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${AXE_SOURCE};0`);
  const result = (await page.evaluate(`axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })`)) as {
    violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
  };
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/** Full-page screenshot as test/artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** True when the page scrolls sideways (wider than its viewport). */
export const scrollsSideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);

/** Signs in through the login page and waits to land in the admin app. */
export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/app/login`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForURL("**/app/admin/**");
}

/** Sets the app's language (kept in localStorage) and reloads. */
export async function setLanguage(page: Page, lang: "he" | "en"): Promise<void> {
  await page.evaluate((l) => localStorage.setItem("lang", l), lang);
  await page.reload();
}

/** What every page must pass as it is now: no serious accessibility violation, no sideways scroll; then a screenshot. */
export async function checkPage(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  expect(await scrollsSideways(page)).toBe(false);
  await screenshot(page, name);
}
