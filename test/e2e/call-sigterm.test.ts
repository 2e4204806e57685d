/** SIGTERM during a call: the current reply is played to the end, the call is closed and nothing said is lost. */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { FakeGoogle } from "../fakes/google.ts";
import { spawnServer, tempDir } from "../support/server.ts";
import { speech } from "../support/speech.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let google: FakeGoogle;
beforeAll(async () => {
  google = await new FakeGoogle().start();
});
afterAll(() => google.stop());

test("SIGTERM mid-reply: the reply finishes, the socket closes, exit 0, the transcript is in the database", async () => {
  const dataDir = tempDir();
  const server = await spawnServer({
    env: { DATA_DIR: dataDir, SPEECH_EMULATOR_HOST: google.host, TTS_EMULATOR_HOST: google.host, AGENT_LANGUAGE: "en-US", STT_LANGUAGE: "en-US", TTS_VOICE: "en-US-Wavenet-D" },
  });
  google.stt.transcripts.push("I would like a quote for a new roof");
  const caller = new SimulatedCaller({ baseUrl: server.url });
  await caller.dial();
  await caller.connect();
  await caller.waitForQuiet(300, 10_000);
  const greetingFrames = caller.frames.length;
  await caller.speak(await speech("I would like a quote for a new roof"));
  await caller.waitUntil(() => caller.frames.length > greetingFrames + 5, 8000, "the reply starts");

  server.proc.kill("SIGTERM");
  await caller.waitUntil(() => caller.closeCode !== undefined, 12_000, "the server closes the call");
  expect(await server.exited).toBe(0);
  // the whole reply was sent and played: its last mark came back before the socket closed
  const replyMarks = caller.marksEchoed.filter((m) => m.startsWith("2:"));
  expect(replyMarks.length).toBeGreaterThan(0);
  expect(caller.clears).toHaveLength(0);
  expect(caller.closeReason).toBe("server shutting down");

  const db = new Database(join(dataDir, "agentlocator.db"), { readonly: true });
  const call = db.query("SELECT * FROM calls WHERE call_sid = ?").get(caller.callSid) as any;
  const turns = db.query("SELECT role, text, interrupted FROM call_turns WHERE call_id = ? ORDER BY id").all(call.id) as any[];
  db.close();
  expect(call.outcome).toBe("lead_saved"); // the lead was saved before the stop; a generic ending does not overwrite it
  expect(call.status).toBe("completed");
  expect(turns.map((t) => t.role)).toEqual(["agent", "caller", "agent"]);
  expect(turns[1].text).toBe("I would like a quote for a new roof");
  expect(turns[2].interrupted).toBe(0);
}, 40_000);
