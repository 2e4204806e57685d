/** Baileys is loaded only inside the WhatsApp worker: nothing the main thread imports pulls it in. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../../support/server.ts";

test("the main thread's module graph does not contain Baileys; the worker entry does", async () => {
  const graph = async (entry: string) => {
    const out = await Bun.build({ entrypoints: [join(ROOT, entry)], target: "bun", packages: "external", throw: true });
    return (await Promise.all(out.outputs.map((o) => o.text()))).join("\n");
  };
  // an import of the package, static or dynamic (package.json's dependency list is bundled too, as data)
  const importsBaileys = /(from\s*|import\s*\(\s*|require\s*\(\s*)["']@whiskeysockets\/baileys/;
  const main = await graph("src/cli.ts");
  expect(main).not.toMatch(importsBaileys);
  expect(main).toContain("whatsapp-worker"); // it does start the worker, by URL
  expect(await graph("src/whatsapp-worker.ts")).toMatch(importsBaileys);
});
