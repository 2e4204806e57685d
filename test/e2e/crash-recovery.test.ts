/**
 * A real crash: the server process is SIGKILLed in the middle of a call, then started again on the same DATA_DIR.
 * The database passes SQLite's integrity check, the call is closed as `interrupted` (ended at its last event), and
 * the recording is a valid WAV whose header sizes match the audio on disk, readable by sox.
 */
import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { spawnServer, tempDir } from "../support/server.ts";
import { until } from "../support/wait.ts";

const OWNER = { ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" };

test(
  "SIGKILL mid-call, then restart: integrity ok, the call closed as interrupted, the recording plays",
  async () => {
    const dataDir = tempDir();
    const first = await spawnServer({ env: { DATA_DIR: dataDir, ...OWNER } });
    const caller = new SimulatedCaller({ baseUrl: first.url });
    const wav = join(dataDir, "recordings", `${caller.callSid}.wav`);
    try {
      await caller.dial();
      await caller.connect();
      await caller.waitUntil(() => caller.frames.length > 25, 15_000, "the voicemail prompt");
      // two recorder flushes (~1 s of audio each) have reached the disk: the header must describe them
      await until(() => {
        try {
          return statSync(wav).size >= 44 + 2 * 32 * 1024;
        } catch {
          return false;
        }
      }, 15_000, "the recording to grow");
    } finally {
      first.proc.kill("SIGKILL");
      await first.exited;
    }
    expect(first.lines.some((l) => l.event === "server.stopped")).toBe(false); // it really died

    // the recording as the crash left it: a RIFF header whose sizes match the bytes on disk
    const bytes = new Uint8Array(readFileSync(wav));
    const view = new DataView(bytes.buffer);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("RIFF");
    expect(view.getUint32(40, true)).toBe(bytes.length - 44);
    expect(view.getUint32(4, true)).toBe(bytes.length - 8);
    expect(bytes.length - 44).toBeGreaterThanOrEqual(2 * 32 * 1024);
    const soxi = Bun.spawnSync(["soxi", "-s", wav]);
    expect(soxi.exitCode).toBe(0);
    expect(Number(soxi.stdout.toString().trim())).toBe((bytes.length - 44) / 4); // stereo 16-bit samples
    const sox = Bun.spawnSync(["sox", wav, "-n", "stat"]);
    expect(sox.exitCode).toBe(0);

    const second = await spawnServer({ env: { DATA_DIR: dataDir, ...OWNER } });
    try {
      const recovered = await second.waitFor("calls.interrupted");
      expect(recovered.value).toBe(1);
      expect(recovered.callSids).toEqual([caller.callSid]);
      const login = await fetch(`${second.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: OWNER.ADMIN_EMAIL, password: OWNER.ADMIN_PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      const detail = (await (await fetch(`${second.url}/api/calls/${caller.callSid}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        call: { status: string; outcome: string; endedAt: string; answeredAt: string; durationS: number };
        events: Array<{ at: string }>;
        turns: Array<{ at: string }>;
        recordingUrl: string;
      };
      expect(detail.call.status).toBe("interrupted");
      expect(detail.call.outcome).toBe("interrupted");
      const last = Math.max(...[...detail.events, ...detail.turns].map((e) => Date.parse(e.at)), Date.parse(detail.call.answeredAt));
      expect(Date.parse(detail.call.endedAt)).toBe(last);
      expect(detail.call.durationS).toBe(Math.round((last - Date.parse(detail.call.answeredAt)) / 1000));
      // the recording is served and plays
      const audio = await fetch(`${second.url}${detail.recordingUrl}`, { headers: { authorization: `Bearer ${token}` } });
      expect(audio.status).toBe(200);
      expect((await audio.arrayBuffer()).byteLength).toBe(bytes.length);

      const db = new Database(join(dataDir, "agentlocator.db"), { readonly: true });
      try {
        expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      } finally {
        db.close();
      }
    } finally {
      second.proc.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }
    // a third start finds nothing left to close
    const third = await spawnServer({ env: { DATA_DIR: dataDir, ...OWNER } });
    try {
      await third.waitFor("db.migrated");
      expect(third.lines.some((l) => l.event === "calls.interrupted")).toBe(false);
    } finally {
      third.proc.kill("SIGTERM");
      await third.exited;
    }
  },
  60_000,
);
