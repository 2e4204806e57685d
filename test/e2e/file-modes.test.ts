/**
 * DATA_DIR holds callers' voices, leads and the signing key: it is created 0700 and everything the server writes
 * in it is 0600 (folders 0700) — the database and its WAL/SHM, the JWT secret, recordings, WhatsApp media —
 * including files and folders an older version (or the operator's mkdir) left readable to others.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { FakeTwilioRest } from "../fakes/twilio-rest.ts";
import { startRig } from "../support/call-rig.ts";
import { logLine, startInProcess, tempDir } from "../support/server.ts";

// each test starts a whole server (and hashes the owner's password): seconds on a busy machine
setDefaultTimeout(30_000);

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

test("an existing DATA_DIR and its folders left 0755 are made 0700 at start; WhatsApp media lands 0600 in a 0700 folder", async () => {
  const dataDir = join(tempDir(), "made-by-hand");
  for (const dir of [dataDir, join(dataDir, "recordings"), join(dataDir, "media")]) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755); // what `mkdir` gives under the usual umask
  }
  const SID = `AC${"2".repeat(32)}`;
  const TOKEN = "file-modes-token";
  const BASE = "https://agent.example.com";
  const rest = new FakeTwilioRest().start();
  const server = await startInProcess({
    DATA_DIR: dataDir,
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_WHATSAPP_FROM: "whatsapp:+14155238886",
    TWILIO_API_URL: rest.url,
    PUBLIC_BASE_URL: BASE,
  });
  try {
    for (const dir of [dataDir, join(dataDir, "recordings"), join(dataDir, "media")]) expect([dir, mode(dir)]).toEqual([dir, "700"]);
    // an inbound WhatsApp photo, as Twilio sends it: the server downloads it into DATA_DIR/media (after answering)
    const mediaPath = `/2010-04-01/Accounts/${SID}/Messages/MM${"d".repeat(32)}/Media/ME${"e".repeat(32)}`;
    rest.media.set(mediaPath, { bytes: crypto.getRandomValues(new Uint8Array(5_000)), mime: "image/jpeg" });
    const params = { MessageSid: `SM${"f".repeat(32)}`, AccountSid: SID, From: "whatsapp:+972501234567", To: "whatsapp:+14155238886", Body: "", NumMedia: "1", MediaUrl0: `${rest.url}${mediaPath}`, MediaContentType0: "image/jpeg" };
    const res = await fetch(`${server.url}/webhook/whatsapp/twilio`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": getExpectedTwilioSignature(TOKEN, `${BASE}/webhook/whatsapp/twilio`, params) },
      body: new URLSearchParams(params),
    });
    expect(res.status).toBe(204);
    // the webhook answers first; the photo is fetched in the background
    await logLine((l) => l.event === "whatsapp.media_saved" && l.messageSid === params.MessageSid, 10_000, "the photo saved");
    const files = readdirSync(join(dataDir, "media"));
    expect(files.length).toBe(1);
    for (const f of files) expect([f, mode(join(dataDir, "media", f))]).toEqual([f, "600"]);
  } finally {
    await server.stop();
    rest.stop();
  }
});
