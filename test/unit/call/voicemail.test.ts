/** Voicemail on the deterministic harness: its limits (2 s of silence, 2 minutes, 10 s without a word), the recognizer failing. */
import { expect, test } from "bun:test";
import { VOICEMAIL_MAX_MS } from "../../../src/call/voicemail.ts";
import { ProviderError } from "../../../src/providers/errors.ts";
import { createHarness, talking, toneMs } from "../../support/call-harness.ts";

const events = (h: ReturnType<typeof createHarness>) => h.observer.events.map((e) => e.event);

async function voicemail(o: { hangupWorks?: boolean } = {}) {
  const h = createHarness({ stt: false });
  h.telephony.hangupWorks = o.hangupWorks ?? false;
  const call = h.call({ from: "+972587654321" });
  await call.until(() => events(h).includes("voicemail.recording"), 20_000, "the beep");
  return { h, call, recordingAt: h.clock.now() };
}

test("prompt and beep, the message, 2 s of silence → thanks, the lead, and the stream is closed (no REST credentials)", async () => {
  const { h, call, recordingAt } = await voicemail();
  expect(h.observer.starts[0]!.mode).toBe("voicemail");
  expect(h.tts.requests[0]!.text).toBe(h.lines.voicemailGreeting("Dana's Plumbing"));
  call.speak(toneMs(3000, 220, 5000));
  await call.until(() => call.closedWith !== undefined, 20_000, "hang-up");
  const saved = h.observer.events.find((e) => e.event === "voicemail.saved")!;
  expect(saved.value).toBe(3000);
  // ended by 2 s of silence after the message: 3 s of message + 2 s (+ a frame or two before the caller began)
  expect(saved.data.recordedMs).toBeGreaterThanOrEqual(5000);
  expect(saved.data.recordedMs).toBeLessThanOrEqual(5040);
  expect(h.clock.now() - recordingAt).toBeLessThan(5000 + 6000);
  expect(h.observer.turns.at(-1)!.text).toBe(h.lines.voicemailThanks);
  expect(h.host.leads).toEqual([{ notes: "Voicemail (3 s) — see the call recording" }]);
  expect(h.telephony.hangups).toEqual(["CAharness"]);
  expect(call.closedWith).toBe("hung_up");
  expect(h.observer.ends).toEqual([{ callSid: "CAharness", outcome: "voicemail" }]);
});

test("a caller who never stops is cut at 2 minutes", async () => {
  const { h, call } = await voicemail({ hangupWorks: true });
  call.speak(talking(VOICEMAIL_MAX_MS + 30_000));
  await call.until(() => events(h).includes("voicemail.saved"), VOICEMAIL_MAX_MS + 5000, "the limit");
  expect(h.observer.events.find((e) => e.event === "voicemail.saved")!.data.recordedMs).toBe(VOICEMAIL_MAX_MS);
  await call.until(() => h.telephony.hangups.length > 0, 10_000, "hang-up");
  // hung up through Twilio's REST API: the stream is not closed from this side
  expect(call.closedWith).toBeUndefined();
  call.hangup();
});

test("10 s without a word ends the voicemail", async () => {
  const { h, call } = await voicemail();
  await call.until(() => events(h).includes("voicemail.saved"), 15_000, "the no-speech limit");
  expect(h.observer.events.find((e) => e.event === "voicemail.saved")).toMatchObject({ value: 0, data: { recordedMs: 10_000 } });
  await call.until(() => call.closedWith !== undefined, 10_000, "hang-up");
});

test("the recognizer failing for good mid-call: what was heard is kept, then apology, beep, voicemail", async () => {
  const h = createHarness();
  const call = h.call();
  await call.run(1500); // the greeting is playing
  h.stt.sessions[0]!.fail(new ProviderError("google-stt", "unavailable", true, "scripted outage"));
  await call.until(() => events(h).includes("voicemail.recording"), 20_000, "the beep");
  call.hangup();
  expect(h.observer.modes).toEqual(["voicemail"]);
  expect(h.observer.turns[0]).toMatchObject({ role: "agent", interrupted: true });
  expect(h.observer.turns[1]!.text).toBe(h.lines.sttDown);
  expect(h.readiness.filter((r) => r.component === "stt").at(-1)).toMatchObject({ status: "err" });
  expect(h.stt.sessions[0]!.closed).toBe(true);
});

test("a recognizer restart (a transient error it recovered from) keeps the conversation", async () => {
  const h = createHarness();
  const call = h.call();
  await call.untilQuiet();
  h.stt.sessions[0]!.restart("retry after unavailable");
  call.say("I need a plumber", h.stt);
  await call.answered();
  call.hangup();
  expect(h.observer.modes).toEqual([]);
  expect(h.observer.events.find((e) => e.event === "stt.restart")).toMatchObject({ data: { reason: "retry after unavailable" } });
  expect(h.observer.turns.at(-1)!.text).toBe(h.lines.askName[0]!);
});

test("a voicemail prompt whose voice hangs is said by the offline voice within 1.5 s", async () => {
  const h = createHarness({ stt: false });
  h.tts.hang = () => true;
  const call = h.call();
  await call.until(() => call.frames.length > 0, 3000, "the prompt");
  expect(call.frames[0]! - 1000).toBeLessThanOrEqual(1500 + 40);
  expect(h.offline.requests[0]!.text).toBe(h.lines.voicemailGreeting("Dana's Plumbing"));
  await call.until(() => events(h).includes("voicemail.recording"), 20_000, "the beep");
  call.hangup();
});
