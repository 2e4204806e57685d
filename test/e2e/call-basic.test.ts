import { afterAll, beforeAll, expect, test } from "bun:test";
import { startRig, type Rig } from "../support/call-rig.ts";
import { speech } from "../support/speech.ts";
import { logLines } from "../support/server.ts";

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(() => rig.stop());

test("greeting, then the scripted dialog answers the caller, and the call is kept", async () => {
  try {
  rig.google.stt.transcripts.push("I need a plumber for my kitchen");
  const caller = await rig.call();
  expect(caller.protocol).toBe("audio.twilio.com");
  await caller.waitUntil(() => caller.frames.length > 0, 3000, "greeting audio");
  expect(caller.frames[0]!.at - caller.startedAt).toBeLessThan(3000);
  await caller.waitForQuiet();
  expect(caller.frames.every((f) => f.bytes === 160 && f.streamSid === caller.streamSid)).toBe(true);
  expect(caller.marksEchoed.length).toBeGreaterThan(0);
  const greetingFrames = caller.frames.length;

  await caller.speak(await speech("I need a plumber for my kitchen"));
  await caller.waitUntil(() => caller.frames.length > greetingFrames, 5000, "reply audio");
  await caller.waitForQuiet();
  expect(caller.badMessages).toEqual([]);
  await caller.hangup();

  const token = await rig.token();
  const detail = (await (await fetch(`${rig.server.url}/api/calls/${caller.callSid}`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
  console.log(JSON.stringify(detail.turns), detail.call.outcome);
  expect(detail.turns.map((t: any) => t.role)).toEqual(["agent", "caller", "agent"]);
  expect(detail.turns[1].text).toBe("I need a plumber for my kitchen");
  expect(detail.turns[2].text).toContain("name");
  } finally {
    console.log(logLines.filter((l) => l.event !== "http.request").map((l) => `${l.event} ${l.value ?? ""} ${l.text ?? l.reason ?? l.message ?? ""}`).join("\n"));
  }
}, 30_000);
