/** Turn-taking over a real call: barge-in, duplicate finals, greeting once, end of utterance, latency. */
import { afterAll, beforeAll, beforeEach, expect, setDefaultTimeout, test } from "bun:test";
import { startRig, type Rig } from "../support/call-rig.ts";
import { logLines } from "../support/server.ts";
import { speech } from "../support/speech.ts";
import { until } from "../support/wait.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(() => rig.stop());
beforeEach(() => rig.reset());

const detail = (callSid: string) => rig.api(`/api/calls/${callSid}`);

test("barge-in during the greeting: clear at once, the agent stops, history keeps what was heard, then it answers", async () => {
  rig.google.stt.transcripts.push("sorry to interrupt, I need an electrician");
  const caller = await rig.call();
  await caller.waitUntil(() => caller.frames.length >= 40, 3000, "greeting playing");
  void caller.speak(await speech("sorry to interrupt, I need an electrician"));
  await caller.waitUntil(() => caller.clears.length > 0, 3000, "clear");
  // clear within BARGE_IN_MS (200) + a frame or two of detection, measured from the caller's first voiced frame
  expect(caller.clears[0]! - caller.firstVoicedSentAt).toBeLessThan(600);
  const framesAtClear = caller.frames.filter((f) => f.at <= caller.clears[0]!).length;
  await caller.waitUntil(() => caller.frames.some((f) => f.at > caller.clears[0]! + 500), 8000, "the answer");
  await caller.waitForQuiet();
  await caller.hangup();

  const d = await detail(caller.callSid);
  const greeting = d.turns[0];
  expect(greeting).toMatchObject({ role: "agent", interrupted: true });
  expect(greeting.heardMs).toBeLessThan(2900);
  expect(greeting.heardMs).toBeGreaterThan(0);
  expect(greeting.text.length).toBeLessThan("Hello, I'm the virtual assistant. How can I help?".length);
  expect(d.turns[1]).toMatchObject({ role: "caller", text: "sorry to interrupt, I need an electrician" });
  expect(d.turns[2]).toMatchObject({ role: "agent", interrupted: false });
  expect(d.events.some((e: any) => e.event === "BARGE_IN")).toBe(true);
  expect(framesAtClear).toBeLessThan(147); // the greeting was not played to the end
}, 30_000);

test("a final sent twice gets one reply (both finals are kept); the greeting is spoken once", async () => {
  rig.google.stt.duplicateFinals = true;
  rig.google.stt.transcripts.push("what are your opening hours");
  const caller = await rig.call();
  await caller.waitForQuiet(300, 8000);
  await caller.speak(await speech("what are your opening hours"));
  const mine = (event: string) => logLines.filter((l) => l.callSid === caller.callSid && l.event === event);
  // both finals reached the call, and the reply played to its end
  await until(() => mine("STT_FINAL").length === 2 && mine("MEDIA_TX").some((l) => l.generation === 2), 8000, "both finals and the reply");
  await caller.waitForQuiet(400, 8000);
  await caller.hangup();
  expect(mine("MEDIA_TX").map((l) => l.generation)).toEqual([1, 2]); // the greeting and one reply: no second one
  const d = await detail(caller.callSid);
  expect(d.turns.map((t: any) => [t.role, t.role === "caller" ? t.text : ""])).toEqual([
    ["agent", ""],
    ["caller", "what are your opening hours"],
    ["agent", ""],
  ]);
  const finals = d.events.filter((e: any) => e.event === "STT_FINAL");
  expect(finals.map((e: any) => e.data.text)).toEqual(["what are your opening hours", "what are your opening hours"]);
  const eou = d.events.filter((e: any) => e.event === "EoU_ms");
  expect(eou).toHaveLength(1);
  expect(eou[0].value).toBeGreaterThanOrEqual(500);
  // latency: caller's last voiced frame → first reply frame, recorded on the turn
  expect(d.turns[2].latencyMs).toBeGreaterThanOrEqual(480);
  expect(d.turns[2].latencyMs).toBeLessThan(2000);
}, 30_000);
