/** WhatsApp media on disk: owner-only whatever the umask of the process writing it (a CLI, a test, the worker). */
import { afterEach, expect, test } from "bun:test";
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MediaStore } from "../../../src/whatsapp/media-store.ts";
import { tempDir } from "../../support/server.ts";

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const saved = process.umask();
afterEach(() => void process.umask(saved));

test("under umask 022 a saved file is 0600 in a 0700 folder, also a folder that existed 0755", async () => {
  process.umask(0o022);
  const fresh = new MediaStore(tempDir());
  const a = await fresh.save({ channel: "baileys", providerId: "3EB0A", index: 0, mime: "image/jpeg" }, new Uint8Array([1, 2, 3]));
  expect(mode(fresh.dir)).toBe("700");
  expect(mode(join(fresh.dir, a.path))).toBe("600");

  const dataDir = tempDir();
  mkdirSync(join(dataDir, "media"));
  chmodSync(join(dataDir, "media"), 0o755);
  const old = new MediaStore(dataDir);
  const b = await old.save({ channel: "twilio", providerId: "MM1", index: 0, mime: "application/pdf", name: "הצעה.pdf" }, new Uint8Array([4]));
  expect(mode(old.dir)).toBe("700");
  expect(mode(join(old.dir, b.path))).toBe("600");
});
