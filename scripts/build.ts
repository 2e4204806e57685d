/**
 * `bun run build` → dist/agentlocator: one executable with the SPA (Tailwind processed), the migrations, the
 * assets and the build info (git commit + build time, via macros) inside. Runs from an empty folder.
 *
 * The compile CLI ignores bunfig's [serve.static] plugins (the CSS would ship unprocessed), so the build goes
 * through Bun.build with the Tailwind plugin here.
 */
import tailwind from "bun-plugin-tailwind";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dir, "..");
const outfile = process.argv[2] ?? join(root, "dist", "agentlocator");
mkdirSync(join(outfile, ".."), { recursive: true });

const started = performance.now();
const result = await Bun.build({
  // workers are separate entrypoints so the compiled file carries them (new Worker(new URL("./x.ts", import.meta.url)))
  entrypoints: [join(root, "src/cli.ts"), join(root, "src/espeak-worker.ts"), join(root, "src/whatsapp-worker.ts")],
  // optional image/audio helpers Baileys imports lazily for thumbnails it never makes here; sharp cannot load in a
  // compiled binary anyway — left out, the dynamic import fails and Baileys carries on
  external: ["sharp", "jimp", "link-preview-js", "audio-decode"],
  compile: { outfile },
  plugins: [tailwind],
  minify: true,
  splitting: true,
  // precompiled bytecode: the binary skips parsing its JavaScript at start (≈ 60–80 ms sooner to the first TwiML);
  // works because the Google clients are imported from their v1 modules, not the package index whose 5 MB
  // generated protos.js bytecode compilation cannot take
  bytecode: true,
  format: "esm",
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
});
if (!result.success) {
  for (const message of result.logs) console.error(message);
  process.exit(1);
}
const size = Bun.file(outfile).size;
console.log(`built ${outfile} (${(size / 1024 / 1024).toFixed(1)} MB) in ${Math.round(performance.now() - started)} ms`);
