/** Table-driven API tests in the manner of PocketBase's ApiScenario. */
import { expect, test } from "bun:test";

export interface ApiScenario {
  name: string;
  method?: string;
  url: string;
  body?: unknown;
  /** Raw body (sent as is) — for malformed JSON and size limits. */
  rawBody?: string;
  headers?: Record<string, string> | (() => Record<string, string>);
  expectedStatus: number;
  /** Substrings the response body must contain. */
  expectedContent?: string[];
  notExpectedContent?: string[];
  /** Runs before the request (PocketBase's BeforeTestFunc): set up the state the scenario needs. */
  before?: () => unknown;
  /** Runs after the checks (PocketBase's AfterTestFunc): assert side effects. */
  after?: (res: { status: number; text: string; headers: Headers }) => unknown;
}

/** Sends a request: a real server's base URL, or an app's `request` (Hono's `app.request`, no server needed). */
export type Target = (() => string) | { request: (path: string, init: RequestInit) => Response | Promise<Response> };

export function runScenarios(target: Target, scenarios: ApiScenario[]) {
  for (const s of scenarios) {
    test(s.name, async () => {
      await s.before?.();
      const headers = { ...(typeof s.headers === "function" ? s.headers() : (s.headers ?? {})) };
      const body = s.rawBody ?? (s.body === undefined ? undefined : JSON.stringify(s.body));
      if (s.body !== undefined) headers["content-type"] ??= "application/json";
      const init: RequestInit = { method: s.method ?? "GET", headers, body };
      const res = typeof target === "function" ? await fetch(target() + s.url, init) : await target.request(s.url, init);
      const text = await res.text();
      expect({ status: res.status, text }).toMatchObject({ status: s.expectedStatus });
      for (const needle of s.expectedContent ?? []) expect(text).toContain(needle);
      for (const needle of s.notExpectedContent ?? []) expect(text).not.toContain(needle);
      await s.after?.({ status: res.status, text, headers: res.headers });
    });
  }
}
