/** Stripe is retired: no Stripe package is installed or imported anywhere. */
import { expect, test } from "bun:test";
import { Glob } from "bun";
import { join } from "node:path";
import { ROOT } from "../../support/server.ts";

test("no Stripe package in package.json or the lockfile, no Stripe import in src/", async () => {
  const pkg = (await Bun.file(join(ROOT, "package.json")).json()) as Record<string, Record<string, string> | undefined>;
  const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies });
  expect(deps.filter((d) => /stripe/i.test(d))).toEqual([]);
  expect(await Bun.file(join(ROOT, "bun.lock")).text()).not.toMatch(/"@?stripe/i);
  for await (const file of new Glob("src/**/*.{ts,tsx}").scan(ROOT)) {
    const text = await Bun.file(join(ROOT, file)).text();
    expect({ file, imports: /from\s+["'][^"']*stripe["']|require\(["'][^"']*stripe["']\)|import\(["'][^"']*stripe["']\)/i.test(text.replace(/stripe-gone\.ts/g, "")) }).toEqual({ file, imports: false });
  }
});
