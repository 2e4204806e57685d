/** Calls with a model (OpenAI-compatible stand-in): speculative answers, failures, tools, the caller talking on. */
import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { decode } from "../../src/audio/mulaw.ts";
import { rms } from "../../src/audio/vad.ts";
import { linesFor } from "../../src/dialog/lines.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { logLines } from "../support/server.ts";
import { speech } from "../support/speech.ts";
import { until } from "../support/wait.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

/** Speech with its trailing quiet frames cut, so the test controls the pause exactly. */
function trimTrailingSilence(mulaw: Uint8Array): Uint8Array {
  let end = mulaw.length - (mulaw.length % 160);
  while (end >= 160 && rms(decode(mulaw.subarray(end - 160, end))) < 160) end -= 160;
  return mulaw.subarray(0, end);
}

const detail = (rig: Rig, callSid: string) => rig.api(`/api/calls/${callSid}`);
const ready = async (rig: Rig) => (await (await fetch(`${rig.server.url}/readyz`)).json()) as any;
const en = linesFor("en-US");

describe("with an LLM", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ llm: true });
  });
  afterAll(() => rig.stop());
  beforeEach(() => rig.reset());

  test("the model is asked on the final transcript, before the silence window closes; the answer waits for it", async () => {
    rig.llm!.turns.push({ firstTokenMs: 300, tokens: ["We open at nine."] });
    rig.google.stt.transcripts.push("when do you open");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000);
    const before = caller.frames.length;
    const requestsBefore = rig.llm!.requests.length;
    await caller.speak(await speech("when do you open"));
    const spokeEnd = caller.lastVoicedSentAt;
    await caller.waitUntil(() => caller.frames.length > before, 8000, "the answer");
    const latency = caller.frames[before]!.at - spokeEnd;
    await caller.waitForQuiet(400, 8000);
    await caller.hangup();
    // the server's own order of things: the model was asked (speculatively) before end of utterance
    const mine = logLines.filter((l) => l.callSid === caller.callSid);
    const asked = mine.findIndex((l) => l.event === "reply.speculative");
    expect(asked).toBeGreaterThanOrEqual(0);
    expect(asked).toBeLessThan(mine.findIndex((l) => l.event === "EoU_ms"));
    expect(latency).toBeGreaterThanOrEqual(460); // never spoken before end of utterance (500 ms, less a frame or two of VAD disagreement)
    const d = await detail(rig, caller.callSid);
    expect(d.turns.at(-1)).toMatchObject({ role: "agent", text: "We open at nine." });
    expect(rig.llm!.requests.length).toBe(requestsBefore + 1);
  }, 30_000);

  test("a speculative answer is dropped when the caller goes on: one answer, to everything said", async () => {
    rig.llm!.turns.push({ firstTokenMs: 100, tokens: ["Dropped answer."] });
    rig.llm!.turns.push({ tokens: ["Two people at eight, noted."] });
    rig.google.stt.transcripts.push("a table", "for two at eight");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000);
    const requestsBefore = rig.llm!.requests.length;
    const before = caller.frames.length;
    const table = trimTrailingSilence(await speech("a table"));
    const rest = await speech("for two at eight");
    // 360 ms of silence between the parts: enough for a final (250 ms), not for end of utterance (500 ms)
    await caller.speak(Buffer.concat([table, new Uint8Array(8 * 360).fill(0xff), rest]));
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "EoU_ms"), 8000, "end of utterance");
    await caller.waitUntil(() => caller.frames.length > before, 8000, "the answer");
    await caller.waitForQuiet(400, 8000);
    await caller.hangup();
    const d = await detail(rig, caller.callSid);
    expect(d.turns.filter((t: any) => t.role === "agent").map((t: any) => t.text).slice(1)).toEqual(["Two people at eight, noted."]);
    const last = rig.llm!.requests.at(-1)!;
    expect(last.messages.filter((m) => m.role === "user")).toEqual([{ role: "user", content: "a table for two at eight" }]);
    expect(rig.llm!.requests.length).toBe(requestsBefore + 2);
  }, 30_000);

  test("the caller keeps talking while the model thinks: nothing is said, both parts are answered together", async () => {
    rig.llm!.turns.push({ firstTokenMs: 1500, tokens: ["never spoken."] });
    rig.llm!.turns.push({ tokens: ["A table for two, sure."] });
    rig.google.stt.transcripts.push("I want to book", "a table for two");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000);
    const before = caller.frames.length;
    await caller.speak(await speech("I want to book"));
    // end of utterance: the model is asked and is thinking (its first token takes 1.5 s)
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "EoU_ms"), 5000, "end of utterance");
    await caller.speak(await speech("a table for two"));
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "MEDIA_TX" && Number(l.generation) >= 3), 10_000, "the reply");
    await caller.hangup();
    expect(caller.clears).toHaveLength(0); // nothing had been said, nothing to clear
    expect(caller.frames.length).toBeGreaterThan(before);
    const last = rig.llm!.requests.at(-1)!;
    expect(last.messages.filter((m) => m.role === "user")).toEqual([{ role: "user", content: "I want to book a table for two" }]);
    const d = await detail(rig, caller.callSid);
    expect(d.turns.map((t: any) => [t.role, t.text])).toEqual([
      ["agent", d.turns[0].text],
      ["caller", "I want to book"],
      ["caller", "a table for two"],
      ["agent", "A table for two, sure."],
    ]);
  }, 30_000);

  test("the model's tools save the lead and end the call; without Twilio credentials the stream is closed", async () => {
    rig.llm!.turns.push({ toolCalls: [{ name: "save_lead", arguments: { name: "Noa", need: "kitchen renovation", area: "Haifa" } }] });
    rig.llm!.turns.push({ tokens: ["Thank you Noa. ", "We will call you soon. Goodbye!"], toolCalls: [{ name: "end_call", arguments: {} }] });
    rig.google.stt.transcripts.push("I am Noa from Haifa and I want to renovate my kitchen");
    const caller = await rig.call({ from: "+972541234567" });
    await caller.waitForQuiet(300, 8000);
    await caller.speak(await speech("I am Noa from Haifa and I want to renovate my kitchen"));
    await caller.waitUntil(() => caller.closeCode !== undefined, 15_000, "the agent hangs up");
    const d = await detail(rig, caller.callSid);
    expect(d.call.outcome).toBe("lead_saved");
    expect(d.turns.at(-1).text).toBe("Thank you Noa. We will call you soon. Goodbye!");
    expect(leadOf(rig, d.call.contactId)).toMatchObject({ name: "Noa", need: "kitchen renovation", area: "Haifa", phone: "+972541234567" });
    // no credentials: Twilio's REST API was not used, the server closed the stream itself
    expect(rig.rest.updates).toEqual([]);
    expect(caller.closeReason).toBe("hung_up");
  }, 30_000);

  test("a model error → a short apology and the script for that turn; the next turn asks the model again, /readyz recovers", async () => {
    rig.llm!.turns.push({ status: 503 }, { tokens: ["Nice to meet you, Avi."] });
    rig.google.stt.transcripts.push("I need a painter", "I am Avi");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000);
    await caller.speak(await speech("I need a painter"));
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "MEDIA_TX" && l.generation === 2), 10_000, "the scripted reply");
    expect((await ready(rig)).llm).toBe("err");
    expect((await detail(rig, caller.callSid)).turns[2]).toMatchObject({ role: "agent", text: `${en.apology} ${en.askName[0]}` });
    await caller.waitForQuiet(400, 8000);
    await caller.speak(await speech("I am Avi"));
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "MEDIA_TX" && l.generation === 3), 10_000, "the model's reply");
    await caller.hangup();
    expect(rig.llm!.requests).toHaveLength(2);
    const d = await detail(rig, caller.callSid);
    expect(d.turns.at(-1)).toMatchObject({ role: "agent", text: "Nice to meet you, Avi." });
    expect((await ready(rig)).llm).toBe("ok");
  }, 30_000);
});

describe("with an LLM and Twilio credentials", () => {
  let rig: Rig;
  const AUTH = "auth-token-for-rest";
  beforeAll(async () => {
    rig = await startRig({ llm: true, env: { TWILIO_ACCOUNT_SID: "AC" + "3".repeat(32), TWILIO_AUTH_TOKEN: AUTH } });
  });
  afterAll(() => rig.stop());
  beforeEach(() => rig.reset());

  test("end_call completes the call through Twilio's REST API", async () => {
    rig.llm!.turns.push({ tokens: ["Goodbye!"], toolCalls: [{ name: "end_call", arguments: {} }] });
    rig.google.stt.transcripts.push("that is all thank you");
    const caller = await rig.call({ authToken: AUTH });
    await caller.waitForQuiet(300, 8000);
    await caller.speak(await speech("that is all thank you"));
    const update = await rig.rest.waitFor((u) => u.callSid === caller.callSid);
    expect(update.form).toEqual({ Status: "completed" });
    expect(update.auth).toBe(`Basic ${Buffer.from(`AC${"3".repeat(32)}:${AUTH}`).toString("base64")}`);
    // Twilio ends the call (and the stream) itself
    expect(caller.closeCode).toBeUndefined();
    await caller.hangup();
    const d = await detail(rig, caller.callSid);
    expect(d.call.outcome).toBe("hung_up");
    expect(d.turns.at(-1).text).toBe("Goodbye!");
  }, 30_000);
});

/** The contact a call's lead went to, read from the database file. */
function leadOf(rig: Rig, contactId: number) {
  const db = new Database(join(rig.server.dataDir, "agentlocator.db"), { readonly: true });
  try {
    return db.query("SELECT name, need, area, budget, phone FROM contacts WHERE id = ?").get(contactId) as Record<string, string | null>;
  } finally {
    db.close();
  }
}
