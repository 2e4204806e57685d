/**
 * Makes assets/favicon.ico from assets/favicon.svg: headless Chromium draws the SVG at 16, 32 and 48 px and the
 * PNGs are packed into one ICO (the ICO format allows PNG images). Run after changing the SVG:
 *   bun scripts/favicon.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const assets = join(import.meta.dir, "..", "assets");
const svg = readFileSync(join(assets, "favicon.svg"), "utf8");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const pngs: Array<{ size: number; png: Buffer }> = [];
for (const size of [16, 32, 48]) {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace("<svg ", `<svg width="${size}" height="${size}" `)}</body></html>`);
  pngs.push({ size, png: await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }) });
  await page.close();
}
await browser.close();

const header = Buffer.alloc(6 + 16 * pngs.length);
header.writeUInt16LE(0, 0); // reserved
header.writeUInt16LE(1, 2); // 1 = icon
header.writeUInt16LE(pngs.length, 4);
let offset = header.length;
pngs.forEach(({ size, png }, i) => {
  const e = 6 + 16 * i;
  header.writeUInt8(size, e); // width
  header.writeUInt8(size, e + 1); // height
  header.writeUInt8(0, e + 2); // palette size
  header.writeUInt8(0, e + 3); // reserved
  header.writeUInt16LE(1, e + 4); // colour planes
  header.writeUInt16LE(32, e + 6); // bits per pixel
  header.writeUInt32LE(png.length, e + 8);
  header.writeUInt32LE(offset, e + 12);
  offset += png.length;
});
writeFileSync(join(assets, "favicon.ico"), Buffer.concat([header, ...pngs.map((p) => p.png)]));
console.log(`assets/favicon.ico: ${pngs.map((p) => `${p.size}px`).join(", ")}, ${offset} bytes`);
