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
}

export function runScenarios(baseUrl: () => string, scenarios: ApiScenario[]) {
  for (const s of scenarios) {
    test(s.name, async () => {
      const headers = typeof s.headers === "function" ? s.headers() : (s.headers ?? {});
      const body = s.rawBody ?? (s.body === undefined ? undefined : JSON.stringify(s.body));
      if (s.body !== undefined) headers["content-type"] ??= "application/json";
      const res = await fetch(baseUrl() + s.url, { method: s.method ?? "GET", headers, body });
      const text = await res.text();
      expect({ status: res.status, text }).toMatchObject({ status: s.expectedStatus });
      for (const needle of s.expectedContent ?? []) expect(text).toContain(needle);
      for (const needle of s.notExpectedContent ?? []) expect(text).not.toContain(needle);
    });
  }
}
