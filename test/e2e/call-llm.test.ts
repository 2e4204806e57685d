/** Calls with a model (OpenAI-compatible stand-in): speculative answers, failures, tools, the caller talking on. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { decode } from "../../src/audio/mulaw.ts";
import { rms } from "../../src/audio/vad.ts";
import { linesFor } from "../../src/dialog/lines.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { logLines } from "../support/server.ts";
import { speech } from "../support/speech.ts";
import { until } from "../support/wait.ts";

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

  test("the model is asked on the final transcript, before the silence window closes; the answer waits for it", async () => {
    rig.llm!.turns.push({ firstTokenMs: 300, tokens: ["We open at nine."] });
    rig.google.stt.transcripts.push("when do you open");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000);
    const before = caller.frames.length;
    const requestsBefore = rig.llm!.requests.length;
    await caller.speak(await speech("when do you open"));
    const spokeEnd = caller.lastVoicedSentAt;
    await until(() => rig.llm!.requests.length > requestsBefore, 5000, "the model asked");
    const askedAfter = performance.now() - spokeEnd;
    await caller.waitUntil(() => caller.frames.length > before, 8000, "the answer");
    const latency = caller.frames[before]!.at - spokeEnd;
    await caller.waitForQuiet(400, 8000);
    await caller.hangup();
    expect(askedAfter).toBeLessThan(500); // asked inside the 500 ms silence window (the final comes ~250 ms after speech)
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

  test("LLM error mid-call → a short apology and the scripted dialog continues", async () => {
    rig.llm!.turns.push({ status: 503 });
    rig.google.stt.transcripts.push("I need a painter");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000);
    await caller.speak(await speech("I need a painter"));
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "MEDIA_TX" && l.generation === 2), 10_000, "reply");
    await caller.hangup();
    const d = await detail(rig, caller.callSid);
    expect(d.turns[2].role).toBe("agent");
    expect(d.turns[2].text).toBe(`${en.apology} ${en.askName[0]}`);
    expect((await ready(rig)).llm).toBe("err");
  }, 30_000);

  test("the caller keeps talking while the model thinks: nothing is said, both parts are answered together", async () => {
    rig.llm!.turns.push({ firstTokenMs: 1500, tokens: ["never spoken."] });
    rig.llm!.turns.push({ tokens: ["A table for two, sure."] });
    rig.google.stt.transcripts.push("I want to book", "a table for two");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000);
    const before = caller.frames.length;
    await caller.speak(await speech("I want to book"));
    await Bun.sleep(700); // past EOU_SILENCE_MS: the model is asked
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

  test("the model's tools save the lead and end the call (Twilio REST hang-up is attempted only with credentials)", async () => {
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
    const token = await rig.token();
    const contact = (await (await fetch(`${rig.server.url}/api/calls?contactId=${d.call.contactId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    expect(contact.total).toBe(1);
    // the model answered again after the earlier failure: readiness recovered
    expect((await ready(rig)).llm).toBe("ok");
  }, 30_000);
});

