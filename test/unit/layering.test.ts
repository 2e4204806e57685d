/**
 * The layering rules, checked on the source: routes (src/http) never import the database (src/db) — they call the
 * src/crm services, which re-export the constants and types a route needs; src/call never imports src/crm or
 * src/http (it emits to a CallObserver).
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = join(import.meta.dir, "..", "..", "src");

/** Every relative import (static, `export … from`, dynamic) of the .ts/.tsx files under `folder`, as src-relative paths. */
function importsUnder(folder: string): Array<{ file: string; target: string }> {
  const out: Array<{ file: string; target: string }> = [];
  for (const file of new Bun.Glob("**/*.{ts,tsx}").scanSync(join(SRC, folder))) {
    const path = join(SRC, folder, file);
    const text = readFileSync(path, "utf8");
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g))
      out.push({ file: relative(SRC, path), target: relative(SRC, resolve(dirname(path), m[1]!)) });
  }
  return out;
}

const crossing = (folder: string, forbidden: string[]) =>
  importsUnder(folder)
    .filter(({ target }) => forbidden.some((f) => target === f || target.startsWith(`${f}/`) || target.startsWith(`${f}.`)))
    .map(({ file, target }) => `${file} → ${target}`);

test("src/http never imports src/db", () => {
  expect(crossing("http", ["db"])).toEqual([]);
});

test("src/call never imports src/crm or src/http", () => {
  expect(crossing("call", ["crm", "http"])).toEqual([]);
});
