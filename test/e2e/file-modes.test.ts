/**
 * DATA_DIR holds callers' voices, leads and the signing key: it is created 0700 and everything the server writes
 * in it is 0600 (folders 0700) — the database and its WAL/SHM, the JWT secret, recordings — including files an
 * older version left world-readable.
 */
import { expect, test } from "bun:test";
import { chmodSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { startRig } from "../support/call-rig.ts";
import { tempDir } from "../support/server.ts";

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

test("DATA_DIR 0700; database, WAL, SHM, JWT secret and recordings 0600", async () => {
  const dataDir = join(tempDir(), "fresh", "data"); // does not exist yet: the server creates it
  const rig = await startRig({ env: { DATA_DIR: dataDir } });
  try {
    const caller = await rig.call();
    await caller.waitUntil(() => caller.frames.length > 10, 8000, "the greeting");
    await caller.hangup();
    expect(mode(dataDir)).toBe("700");
    for (const file of ["agentlocator.db", "agentlocator.db-wal", "agentlocator.db-shm", "jwt_secret"]) expect([file, mode(join(dataDir, file))]).toEqual([file, "600"]);
    expect(mode(join(dataDir, "recordings"))).toBe("700");
    const recordings = readdirSync(join(dataDir, "recordings"));
    expect(recordings.length).toBeGreaterThan(0);
    for (const r of recordings) expect([r, mode(join(dataDir, "recordings", r))]).toEqual([r, "600"]);
  } finally {
    await rig.stop();
  }
});

test("a database an older version left 0644 is made 0600 at the next start", async () => {
  const dataDir = tempDir();
  const first = await startRig({ env: { DATA_DIR: dataDir } });
  await first.stop();
  chmodSync(join(dataDir, "agentlocator.db"), 0o644);
  chmodSync(join(dataDir, "jwt_secret"), 0o644);
  const second = await startRig({ env: { DATA_DIR: dataDir } });
  try {
    expect(mode(join(dataDir, "agentlocator.db"))).toBe("600");
    expect(mode(join(dataDir, "jwt_secret"))).toBe("600");
  } finally {
    await second.stop();
  }
});
