/** A whole call, end to end: greeting, an answer, the record in the CRM, the recording, the calls API. */
import { afterAll, beforeAll, beforeEach, expect, setDefaultTimeout, test } from "bun:test";
import { parseWav } from "../../src/audio/riff.ts";
import { linesFor } from "../../src/dialog/lines.ts";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { speech } from "../support/speech.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let rig: Rig;
let token = "";
beforeAll(async () => {
  // Hebrew, the product's default: no AGENT_LANGUAGE/STT_LANGUAGE/TTS_VOICE overrides
  rig = await startRig({ env: { AGENT_LANGUAGE: "he-IL", STT_LANGUAGE: "iw-IL", TTS_VOICE: "he-IL-Wavenet-A" } });
  token = await rig.token();
});
afterAll(() => rig.stop());
beforeEach(() => rig.reset());

const api = async (path: string) => (await fetch(`${rig.server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;
const he = linesFor("he-IL");

test("a Hebrew call: greeting within 3 s in 160-byte frames, the scripted answer, everything kept", async () => {
  rig.google.stt.transcripts.push("אני צריך אינסטלטור למטבח");
  const caller = await rig.call({ from: "050-765-4321" });
  expect(caller.protocol).toBe("audio.twilio.com");
  await caller.waitUntil(() => caller.frames.length > 0, 3000, "greeting audio");
  expect(caller.frames[0]!.at - caller.startedAt).toBeLessThan(3000);
  await caller.waitForQuiet();
  expect(caller.frames.every((f) => f.bytes === 160 && f.streamSid === caller.streamSid)).toBe(true);
  expect(caller.marksEchoed.length).toBeGreaterThan(0);
  const greetingFrames = caller.frames.length;

  await caller.speak(await speech("אני צריך אינסטלטור למטבח", "he"));
  await caller.waitUntil(() => caller.frames.length > greetingFrames, 5000, "reply audio");
  await caller.waitForQuiet();
  expect(caller.badMessages).toEqual([]);
  await caller.hangup();

  const d = await api(`/api/calls/${caller.callSid}`);
  expect(d.turns.map((t: any) => [t.role, t.text])).toEqual([
    ["agent", he.greeting("")],
    ["caller", "אני צריך אינסטלטור למטבח"],
    ["agent", he.askName[0]],
  ]);
  expect(d.call).toMatchObject({ status: "completed", mode: "conversation", outcome: "lead_saved", fromNumber: "050-765-4321" });
  expect(d.call.durationS).toBeGreaterThanOrEqual(3);
  expect(d.events.map((e: any) => e.event)).toEqual(expect.arrayContaining(["STT_FINAL", "EoU_ms", "TTS_LEN_ms", "MEDIA_TX"]));
  // Google got the Hebrew configuration
  const stream = rig.google.streams.at(-1)!;
  expect(stream.config.config).toMatchObject({ encoding: "MULAW", sampleRateHertz: 8000, languageCode: "iw-IL" });
  expect(stream.config.interimResults).toBe(true);
  expect(rig.google.ttsRequests.at(-1)).toMatchObject({ voice: { languageCode: "he-IL", name: "he-IL-Wavenet-A" }, audioConfig: { audioEncoding: "MULAW", sampleRateHertz: 8000 } });

  // the caller became a lead with what they said
  const calls = await api(`/api/calls?contactId=${d.call.contactId}`);
  expect(calls.total).toBe(1);

  // the recording: a stereo WAV as long as the call
  expect(d.recordingUrl).toBe(`/api/calls/${caller.callSid}/recording`);
  const rec = await fetch(`${rig.server.url}${d.recordingUrl}`, { headers: { authorization: `Bearer ${token}` } });
  expect(rec.headers.get("content-type")).toBe("audio/wav");
  const wav = parseWav(new Uint8Array(await rec.arrayBuffer()));
  expect(wav).toMatchObject({ format: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16 });
  const seconds = wav.data.length / (8000 * 4);
  expect(seconds).toBeGreaterThan(3);
  expect((await fetch(`${rig.server.url}${d.recordingUrl}`)).status).toBe(401);
}, 30_000);

test("the calls list pages and filters", async () => {
  // its own calls: two rings of the incoming-call webhook
  for (let i = 0; i < 2; i++) await new SimulatedCaller({ baseUrl: rig.server.url, from: "+972500000111" }).dial();
  const all = await api("/api/calls?page=1&limit=1");
  expect(all.limit).toBe(1);
  expect(all.calls.length).toBe(1);
  expect(all.total).toBeGreaterThanOrEqual(2);
  expect((await api("/api/calls?outcome=no-such-outcome")).total).toBe(0);
  expect((await api(`/api/calls?from=${new Date(Date.now() + 86_400_000).toISOString()}`)).total).toBe(0);
  const bad = await fetch(`${rig.server.url}/api/calls?limit=0`, { headers: { authorization: `Bearer ${token}` } });
  expect(bad.status).toBe(422);
  expect(((await bad.json()) as any).error.field).toBe("limit");
  expect((await fetch(`${rig.server.url}/api/calls/CAnope`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
});
