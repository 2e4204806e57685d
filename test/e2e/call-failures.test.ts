/** Provider failures degrade the call, never end it silently. */
import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startRig, type Rig } from "../support/call-rig.ts";
import { logLines } from "../support/server.ts";
import { speech } from "../support/speech.ts";
import { until } from "../support/wait.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

const detail = (rig: Rig, callSid: string) => rig.api(`/api/calls/${callSid}`);
const ready = async (rig: Rig) => (await (await fetch(`${rig.server.url}/readyz`)).json()) as any;

describe("with Google only", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig.stop());
  beforeEach(() => rig.reset());

  test("TTS error → the reply is spoken by the offline voice; readyz says so, and recovers with Google", async () => {
    rig.google.stt.transcripts.push("hello", "are you there");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000); // greeting from the cache
    rig.google.tts.fail = true;
    try {
      const before = caller.frames.length;
      await caller.speak(await speech("hello"));
      await caller.waitUntil(() => caller.frames.length > before + 20, 8000, "fallback reply audio");
      await caller.waitForQuiet();
      const r = await ready(rig);
      expect(r.tts).toBe("err");
      expect(r.details.tts).toContain("espeak-ng");
    } finally {
      rig.google.tts.fail = false; // the same call goes on with Google
    }
    const again = caller.frames.length;
    await caller.speak(await speech("are you there"));
    await caller.waitUntil(() => caller.frames.length > again + 20, 8000, "Google voice again");
    await caller.waitForQuiet();
    await caller.hangup();
    expect((await ready(rig)).tts).toBe("ok");
  }, 30_000);

  test("a transient recognizer error is retried: the call stays a conversation and the utterance is answered", async () => {
    rig.google.stt.transcripts.push("I need a plumber");
    rig.google.stt.failOnce = { code: 14, afterMs: 200, details: "connection reset (fake)" };
    const caller = await rig.call();
    await rig.google.waitFor(() => rig.google.streams.length >= 2, 8000, "the stream reopened");
    await caller.waitForQuiet(300, 8000);
    const before = caller.frames.length;
    await caller.speak(await speech("I need a plumber"));
    await caller.waitUntil(() => caller.frames.length > before, 8000, "the answer");
    await caller.waitForQuiet();
    await caller.hangup();
    const d = await detail(rig, caller.callSid);
    expect(d.call.mode).toBe("conversation");
    expect(d.events.map((e: any) => e.event)).not.toContain("call.voicemail");
    expect(d.events.find((e: any) => e.event === "stt.restart").data.reason).toBe("retry after unavailable");
    expect(d.turns.map((t: any) => t.role)).toEqual(["agent", "caller", "agent"]);
    expect((await ready(rig)).stt).toBe("ok");
  }, 30_000);

  test("STT outage mid-call → apology, beep, voicemail; the message and the lead are kept", async () => {
    const caller = await rig.call({ from: "+972529998877" });
    await caller.waitForQuiet(300, 8000);
    rig.google.stt.failWith = { code: 14, afterMs: 0 };
    rig.google.stt.refuse = true;
    const before = caller.frames.length;
    await caller.waitUntil(() => caller.frames.length > before + 50, 10_000, "the apology and the beep");
    await caller.waitForQuiet(300, 10_000);
    await caller.speak(await speech("please call me back about my order"));
    await caller.waitUntil(() => caller.closeCode !== undefined, 15_000, "the call ends after the message");
    const d = await detail(rig, caller.callSid);
    expect(d.call.mode).toBe("voicemail");
    expect(d.call.outcome).toBe("voicemail");
    expect(d.events.map((e: any) => e.event)).toEqual(expect.arrayContaining(["call.voicemail", "voicemail.recording", "voicemail.saved"]));
    expect(d.recordingUrl).toBeTruthy();
    expect((await ready(rig)).stt).toBe("err");
  }, 40_000);
});

describe("recognizer stream limit", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ env: { STT_STREAM_LIMIT_MS: "3000" } });
  });
  afterAll(() => rig.stop());
  beforeEach(() => rig.reset());

  test("the stream is replaced before the limit on a final boundary and no utterance is lost", async () => {
    rig.google.stt.transcripts.push("first question", "second question");
    const caller = await rig.call();
    await caller.waitForQuiet(300, 8000);
    await caller.speak(await speech("first question"));
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "EoU_ms"), 8000, "first utterance");
    await caller.waitForQuiet(300, 8000);
    // past the limit a new stream is opened
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "stt.restart"), 8000, "the stream replaced");
    await caller.speak(await speech("second question"));
    await until(() => logLines.filter((l) => l.callSid === caller.callSid && l.event === "EoU_ms").length === 2, 8000, "second utterance");
    await caller.hangup();
    expect(rig.google.streams.length).toBeGreaterThanOrEqual(2);
    const d = await detail(rig, caller.callSid);
    expect(d.turns.filter((t: any) => t.role === "caller").map((t: any) => t.text)).toEqual(["first question", "second question"]);
    expect(d.events.some((e: any) => e.event === "stt.restart")).toBe(true);
  }, 40_000);
});
