/** Voicemail when no recognizer is configured, DTMF 0 transfer, business settings, the greeting cache. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { startRig, type Rig } from "../support/call-rig.ts";
import { logLine, logLines } from "../support/server.ts";
import { speech } from "../support/speech.ts";
import { until } from "../support/wait.ts";

const api = (rig: Rig, path: string, init?: RequestInit) => rig.api(path, init);

describe("no speech recognition configured → voicemail", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ google: false });
  }, 30_000); // a server start on a busy machine can outlast bun's 5 s
  afterAll(() => rig.stop());
  beforeEach(() => rig.reset());

  test("readyz says voicemail mode; the offline voice speaks", async () => {
    const r = (await (await fetch(`${rig.server.url}/readyz`)).json()) as any;
    expect(r.mode).toBe("voicemail");
    expect(r.stt).toBe("err");
    expect(r.details.stt).toContain("voicemail");
    expect(r.tts).toBe("ok");
    expect(r.details.tts).toContain("espeak-ng");
  });

  test("greeting, beep, record until 2 s of silence, thank, hang up; the number is a lead with the recording", async () => {
    const caller = await rig.call({ from: "+972587654321" });
    await caller.waitForQuiet(300, 10_000);
    const promptFrames = caller.frames.length;
    expect(promptFrames).toBeGreaterThan(100); // a spoken prompt and a beep, not a click
    const spokeAt = performance.now();
    await caller.speak(await speech("hi, this is Yossi, please call me back"));
    await caller.waitUntil(() => caller.closeCode !== undefined, 15_000, "hang-up after the message");
    // ended by 2 s of silence after the message, not by the 2-minute limit
    expect(performance.now() - spokeAt).toBeLessThan(12_000);
    expect(caller.frames.length).toBeGreaterThan(promptFrames); // the thank-you
    expect(rig.google.streams).toHaveLength(0);
    expect(rig.google.ttsRequests).toHaveLength(0);

    const d = await api(rig, `/api/calls/${caller.callSid}`);
    expect(d.call).toMatchObject({ mode: "voicemail", outcome: "voicemail", status: "completed" });
    expect(d.events.map((e: any) => e.event)).toEqual(expect.arrayContaining(["call.voicemail", "voicemail.recording", "voicemail.saved"]));
    const rec = await fetch(`${rig.server.url}${d.recordingUrl}`, { headers: { authorization: `Bearer ${await rig.token()}` } });
    expect(rec.status).toBe(200);
    expect((await rec.arrayBuffer()).byteLength).toBeGreaterThan(8000 * 4 * 3);
    const calls = await api(rig, `/api/calls?contactId=${d.call.contactId}`);
    expect(calls.calls[0].callSid).toBe(caller.callSid);
  }, 40_000);
});

describe("transfer and settings", () => {
  let rig: Rig;
  const AUTH = "auth-token-for-rest";
  beforeAll(async () => {
    rig = await startRig({ env: { TWILIO_ACCOUNT_SID: "AC" + "1".repeat(32), TWILIO_AUTH_TOKEN: AUTH, TRANSFER_NUMBER: "+972501110000" } });
  }, 30_000);
  afterAll(() => rig.stop());
  beforeEach(async () => {
    rig.reset();
    await api(rig, "/api/settings/business", { method: "PUT", body: "{}" }); // the defaults
  });

  test("DTMF 0 → the agent says so, then Twilio's REST API redirects the call to <Dial>", async () => {
    const caller = await rig.call({ authToken: AUTH });
    await caller.waitUntil(() => caller.frames.length > 10, 3000, "greeting");
    caller.sendDtmf("0");
    await caller.waitUntil(() => caller.clears.length > 0, 2000, "the greeting cleared");
    const update = await rig.rest.waitFor((u) => u.callSid === caller.callSid && "Twiml" in u.form);
    expect(update.form.Twiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Dial>+972501110000</Dial></Response>');
    expect(update.auth).toBe(`Basic ${Buffer.from(`AC${"1".repeat(32)}:${AUTH}`).toString("base64")}`);
    await caller.hangup();
    const d = await api(rig, `/api/calls/${caller.callSid}`);
    expect(d.call.outcome).toBe("transferred");
    expect(d.turns.at(-1).text).toBe("I'm transferring you to a person, one moment.");
  }, 20_000);

  /**
   * The transfer fails at the wire: the agent tells the caller, the call goes on (the caller is answered), and the
   * failure is kept on the call.
   */
  async function transferThatFails(why: string) {
    const caller = await rig.call({ authToken: AUTH });
    await caller.waitUntil(() => caller.frames.length > 10, 3000, "greeting");
    caller.sendDtmf("0");
    await rig.rest.waitFor((u) => u.callSid === caller.callSid && "Twiml" in u.form);
    const failed = await logLine((l) => l.event === "twilio.rest_failed" && l.callSid === caller.callSid, 10_000, `Twilio's ${why}`);
    await logLine((l) => l.event === "call.transfer_failed" && l.callSid === caller.callSid, 2000, "the transfer failed");
    // the agent says nobody is available (the third reply: greeting, "transferring", this), played to its end
    await logLine((l) => l.event === "MEDIA_TX" && l.callSid === caller.callSid && l.generation === 3, 15_000, "the line that nobody is available");
    await caller.waitForQuiet(400, 15_000);
    rig.google.stt.transcripts.push("I need a plumber");
    await caller.speak(await speech("I need a plumber"));
    await logLine((l) => l.event === "MEDIA_TX" && l.callSid === caller.callSid && l.generation === 4, 15_000, "the answer after the failed transfer");
    expect(caller.closeCode).toBeUndefined(); // the server never dropped the caller
    await caller.hangup();
    await logLine((l) => l.event === "call.saved" && l.callSid === caller.callSid, 5000, "the call saved");
    const d = await api(rig, `/api/calls/${caller.callSid}`);
    expect(d.call.outcome).toBe("transfer_failed");
    expect(d.events.map((e: any) => e.event)).toEqual(expect.arrayContaining(["call.transfer", "call.transfer_failed"]));
    const agent = d.turns.filter((t: any) => t.role === "agent").map((t: any) => t.text);
    expect(agent).toContain("I'm transferring you to a person, one moment.");
    expect(agent).toContain("Nobody is available right now, but I'll take your details and we'll call you back.");
    expect(d.turns.filter((t: any) => t.role === "caller").map((t: any) => t.text)).toEqual(["I need a plumber"]);
    expect(agent.at(-1)).toBe("Thank you. What's your name?");
    return failed;
  }

  test("Twilio refuses the transfer (400): the agent says nobody is available, the call goes on, the failure is kept", async () => {
    rig.rest.callReply = (form) => ("Twiml" in form ? { status: 400, body: { code: 21220, message: "Call is not in-progress. Cannot redirect.", status: 400 } } : undefined);
    const failed = await transferThatFails("refusal");
    expect(failed.status).toBe(400);
    expect(String(failed.body)).toContain("21220");
  }, 30_000);

  test("Twilio does not answer the transfer (5 s timeout): the same — the caller is told and the call goes on", async () => {
    let answer = () => {};
    rig.rest.holdCalls = new Promise<void>((r) => (answer = r));
    try {
      const failed = await transferThatFails("timeout");
      expect(String(failed.err)).toMatch(/time|abort/i);
    } finally {
      answer();
    }
  }, 30_000);

  test("business settings: greeting, name and phrase hints reach the call; the greeting is cached", async () => {
    const warms = () => logLines.filter((l) => l.event === "tts.prompts_warm").length;
    const warmsBefore = warms();
    const saved = await api(rig, "/api/settings/business", {
      method: "PUT",
      body: JSON.stringify({ name: "Dana's Plumbing", greeting: "Dana's Plumbing, good morning! How can we help?", phraseHints: ["boiler", "Kiryat Ono"] }),
    });
    expect(saved.name).toBe("Dana's Plumbing");
    const bad = await fetch(`${rig.server.url}/api/settings/business`, {
      method: "PUT",
      headers: { authorization: `Bearer ${await rig.token()}`, "content-type": "application/json" },
      body: JSON.stringify({ phraseHints: "not a list" }),
    });
    expect(bad.status).toBe(422);
    // the new greeting is synthesized into the cache in the background
    await until(() => warms() > warmsBefore, 8000, "the prompts warmed");
    const ttsBefore = rig.google.ttsRequests.length;
    const caller = await rig.call({ authToken: AUTH });
    await caller.waitForQuiet(300, 8000);
    await caller.hangup();
    expect(rig.google.ttsRequests.length).toBe(ttsBefore); // played from the cache
    expect(rig.google.streams.at(-1)!.config.config.speechContexts).toEqual([{ phrases: ["boiler", "Kiryat Ono"], boost: 0 }]);
    const d = await api(rig, `/api/calls/${caller.callSid}`);
    expect(d.turns[0].text).toBe("Dana's Plumbing, good morning! How can we help?");
    const cacheDir = join(rig.server.dataDir, "tts-cache");
    expect(existsSync(cacheDir) && readdirSync(cacheDir).length).toBeGreaterThan(0);
  }, 20_000);

  test("the agent's voice, end-of-utterance silence and transfer number from the settings take effect on the next call", async () => {
    await api(rig, "/api/settings/business", {
      method: "PUT",
      body: JSON.stringify({ ttsVoice: "en-US-Wavenet-F", eouSilenceMs: 300, transferNumber: "+972509998877" }),
    });
    rig.google.stt.transcripts.push("I need a plumber");
    const caller = await rig.call({ authToken: AUTH });
    await caller.waitForQuiet(300, 8000);
    await caller.speak(await speech("I need a plumber"));
    await until(() => logLines.some((l) => l.callSid === caller.callSid && l.event === "MEDIA_TX" && l.generation === 2), 8000, "the reply");
    caller.sendDtmf("0");
    const update = await rig.rest.waitFor((u) => u.callSid === caller.callSid && "Twiml" in u.form);
    await caller.hangup();
    expect(update.form.Twiml).toContain("<Dial>+972509998877</Dial>");
    expect(rig.google.ttsRequests.filter((r) => r.text === "Thank you. What's your name?").map((r) => r.voice.name)).toEqual(["en-US-Wavenet-F"]);
    const eou = logLines.find((l) => l.callSid === caller.callSid && l.event === "EoU_ms")!;
    expect(Number(eou.value)).toBeGreaterThanOrEqual(300);
    expect(Number(eou.value)).toBeLessThan(500);
  }, 20_000);
});

test("speech to the fixture is real: espeak-ng makes audio in both languages", async () => {
  expect((await speech("hello")).length).toBeGreaterThan(2000);
  expect((await speech("שלום", "he")).length).toBeGreaterThan(2000);
});
