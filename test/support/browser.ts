/**
 * Headless Chromium for the admin app's tests (Debian's /usr/bin/chromium through playwright-core):
 * - `launchBrowser()` once per test file;
 * - `openPage()` a page (width, language) with a guard that records every console error or warning, uncaught
 *   page error, failed request and HTTP answer ≥ 400 — `guard.assertClean()` fails the test on any of them, unless
 *   the test declared it with `guard.allow(url, status)` (a wrong password on purpose);
 * - `axe(page)` runs axe-core (WCAG 2.x A/AA and best practices) in the page and returns the serious and critical
 *   violations (injected through the DevTools protocol, so the page's Content-Security-Policy stays on);
 * - `screenshot(page, name)` writes test/artifacts/<name>.png (git-ignored) — look at them;
 * - `sidewaysScroll(page)` how far the page scrolls sideways (0 is right at 390 px);
 * - `auditPage(page, name)` all of the above for one page, plus "one CSS file": throws with what is wrong.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it`);

export const ARTIFACTS = join(import.meta.dir, "..", "artifacts");
export const BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...BROWSER_ARGS, ...extraArgs] });
}

export interface Guard {
  /** What went wrong so far (console errors/warnings, page errors, failed requests, HTTP ≥ 400). */
  problems: string[];
  /** Expect one answer of `status` from a URL containing `url` (e.g. a wrong password on purpose). */
  allow(url: string | RegExp, status: number): void;
  /** Fails (throws) when anything went wrong that was not allowed. */
  assertClean(): void;
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  guard: Guard;
  close(): Promise<void>;
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

export async function openPage(browser: Browser, o: { baseUrl: string; lang?: "he" | "en"; viewport?: { width: number; height: number } } = { baseUrl: "" }): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: o.viewport ?? DESKTOP, baseURL: o.baseUrl, deviceScaleFactor: 1, isMobile: (o.viewport?.width ?? 1280) < 500, hasTouch: (o.viewport?.width ?? 1280) < 500 });
  if (o.lang) await context.addInitScript(`try { localStorage.setItem("lang", ${JSON.stringify(o.lang)}) } catch {}`);
  const page = await context.newPage();
  const problems: string[] = [];
  const allowed: Array<{ url: string | RegExp; status: number; used: boolean }> = [];
  const matches = (url: string, status?: number) => {
    const hit = allowed.find((a) => !a.used && (status === undefined || a.status === status) && (typeof a.url === "string" ? url.includes(a.url) : a.url.test(url)));
    return hit;
  };
  page.on("response", (res) => {
    if (res.status() < 400) return;
    const hit = matches(res.url(), res.status());
    if (hit) hit.used = true;
    else problems.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on("console", (msg) => {
    if (msg.type() !== "error" && msg.type() !== "warning") return;
    const url = msg.location().url ?? "";
    // the browser's own line for an answer the test allowed ("Failed to load resource: … status of 401")
    if (/^Failed to load resource: the server responded with a status of (\d+)/.test(msg.text()) && allowed.some((a) => a.used && (typeof a.url === "string" ? url.includes(a.url) : a.url.test(url)))) return;
    problems.push(`console.${msg.type()}: ${msg.text()} (${url})`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    // requests the app itself cancels (an AbortController when a page is left, a media element's range reads)
    if (/ERR_ABORTED/.test(req.failure()?.errorText ?? "")) return;
    problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ""}`);
  });
  const guard: Guard = {
    problems,
    allow: (url, status) => void allowed.push({ url, status, used: false }),
    assertClean() {
      if (problems.length) throw new Error(`the page logged problems:\n  ${problems.join("\n  ")}`);
    },
  };
  return { page, context, guard, close: () => context.close() };
}

/** Signs the page's browser context in (the session cookie is set for the app's origin). */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  const res = await page.request.post("/api/auth/login", { data: { email, password } });
  if (!res.ok()) throw new Error(`sign-in of ${email} answered ${res.status()}`);
}

const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** axe-core over the whole page; the serious and critical violations (the test expects none). */
export async function axe(page: Page): Promise<{ serious: AxeViolation[]; other: AxeViolation[] }> {
  // page.evaluate goes through the DevTools protocol, which the page's CSP does not restrict
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] }, resultTypes: ["violations"] })
    .then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(1, 2).join("")) })))`)) as AxeViolation[];
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  return { serious, other: violations.filter((v) => !serious.includes(v)) };
}

export const formatViolations = (vs: AxeViolation[]) => vs.map((v) => `${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.join("\n    ")}`).join("\n");

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** How many CSS pixels the document scrolls sideways (0: it fits the viewport). */
export function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Every page's checks in one call: axe (no serious/critical violation), no sideways scroll, a screenshot. */
export async function auditPage(page: Page, name: string, o: { axe?: boolean } = {}): Promise<void> {
  const problems: string[] = [];
  if (o.axe !== false) {
    const { serious, other } = await axe(page);
    axeLog.push({ page: name, serious: serious.map((v) => v.id), other: other.map((v) => `${v.impact}:${v.id}`) });
    if (serious.length) problems.push(`axe found serious violations:\n${formatViolations(serious)}`);
  }
  const sideways = await sidewaysScroll(page);
  if (sideways > 0) problems.push(`the page scrolls ${sideways}px sideways`);
  const sheets = await page.evaluate(() => ({ links: document.querySelectorAll('link[rel="stylesheet"]').length, styles: document.querySelectorAll("style").length }));
  if (sheets.links !== 1 || sheets.styles !== 0) problems.push(`expected one CSS file and no <style>, found ${sheets.links} stylesheets and ${sheets.styles} <style> elements`);
  await screenshot(page, name);
  if (problems.length) throw new Error(`${name}: ${problems.join("\n")}`);
}

/** What axe found on each audited page (also the moderate and minor findings), for the test's report. */
export const axeLog: Array<{ page: string; serious: string[]; other: string[] }> = [];
