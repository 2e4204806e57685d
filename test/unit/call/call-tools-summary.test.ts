/**
 * The post-call summary on WhatsApp: sent once with what was noted, skipped when it must be (off, a test call, a
 * hidden number, nothing said), for a voicemail, and kept as failed when WhatsApp refuses it.
 */
import { expect, test } from "bun:test";
import { toneMs } from "../../support/call-harness.ts";
import {
  CALLER,
  callEvents,
  calls,
  db,
  h,
  happened,
  LINKS_ON,
  logged,
  outbound,
  paymentsOf,
  place,
  refusal63016,
  rest,
  services,
  setup,
  turnWithTools,
  useCallToolsFixture,
} from "../../support/call-tools-fixture.ts";
import { until } from "../../support/wait.ts";

useCallToolsFixture();

// ── the post-call summary ───────────────────────────────────────────────────────────────────────────────────────

const summaryEvents = (callSid: string) => logged.filter((l) => l.callSid === callSid && String(l.event).startsWith("call.summary_"));

test("post-call summary: one WhatsApp with the need, the callback time and the payment link, however many times the call ends", async () => {
  setup({ llm: true, settings: { postCallSummary: true, ...LINKS_ON } });
  h.llm!.turns.push({
    toolCalls: [
      { name: "save_lead", arguments: { name: "Noa", need: "a leaking boiler" } },
      { name: "schedule_callback", arguments: { when: "tomorrow at 10" } },
      { name: "send_payment_link", arguments: { amount: 250, description: "Visit" } },
    ],
  });
  h.llm!.turns.push({ tokens: ["Done, Noa."] });
  const call = place("CAsummary", CALLER);
  await call.untilQuiet();
  await turnWithTools(call, "my boiler leaks, call me tomorrow at ten");
  call.hangup();
  call.session.end("again"); // a second end changes nothing
  const summary = await rest.waitForMessage((m) => m.form.Body!.startsWith("Thank you"));
  const [payment] = paymentsOf("CAsummary");
  expect(summary.form.Body).toBe(
    `Thank you for calling Dana's Plumbing, Noa!\nWhat we noted: a leaking boiler\nWe'll call you back: tomorrow at 10\nPayment link (₪250.00, Visit): ${payment!.url}`,
  );
  await until(() => happened("CAsummary", "call.summary_sent"), 5000, "the summary's record");
  expect(callEvents("CAsummary", "call.summary_sent")).toEqual([{ messageId: expect.any(Number), channel: "twilio" }]);
  // `ended` reported again (the session's own end is idempotent, the observer's may not be): still one summary
  await calls.summaries.ended("CAsummary");
  expect(rest.messages.filter((m) => m.form.Body!.startsWith("Thank you"))).toHaveLength(1);
  expect(outbound("CAsummary").map((m) => m.text)).toContain(summary.form.Body!);
});

test("post-call summary: off by default; never for a test call, a hidden number, or a caller who said nothing", async () => {
  setup();
  const off = place("CAsumOff", CALLER);
  await off.untilQuiet();
  off.say("I need a plumber", h.stt);
  await off.answered();
  off.hangup();

  setup({ settings: { postCallSummary: true } });
  services.calls.ringing("CAsumTest", { from: CALLER });
  db.$client.run("UPDATE calls SET is_test = 1 WHERE call_sid = 'CAsumTest'");
  for (const [sid, from, speaks] of [["CAsumTest", CALLER, true], ["CAsumHidden", undefined, true], ["CAsumSilent", CALLER, false]] as const) {
    const call = place(sid, from);
    await call.untilQuiet();
    if (speaks) {
      call.say("I need a plumber", h.stt);
      await call.answered();
    }
    call.hangup();
  }
  await until(() => summaryEvents("CAsumSilent").length > 0, 5000, "the last summary's decision");
  expect(summaryEvents("CAsumTest")).toEqual([expect.objectContaining({ event: "call.summary_skipped", reason: "test_call" })]);
  expect(summaryEvents("CAsumHidden")).toEqual([expect.objectContaining({ event: "call.summary_skipped", reason: "no_number" })]);
  expect(summaryEvents("CAsumSilent")).toEqual([expect.objectContaining({ event: "call.summary_skipped", reason: "nothing_noted" })]);
  expect(summaryEvents("CAsumOff")).toEqual([]);
  expect(rest.messages).toEqual([]);
});

test("post-call summary of a voicemail: sent when the caller left a message, not when they said nothing", async () => {
  setup({ stt: false, settings: { postCallSummary: true } });
  const spoke = place("CAvmSpoke", CALLER);
  await spoke.until(() => happened("CAvmSpoke", "voicemail.recording"), 20_000, "the beep");
  spoke.speak(toneMs(1500, 220, 5000));
  await spoke.until(() => happened("CAvmSpoke", "voicemail.saved"), 20_000, "the voicemail");
  spoke.hangup();
  const sent = await rest.waitForMessage();
  expect(sent.form.Body).toBe("Thank you for calling Dana's Plumbing!\nWe got your voicemail and will get back to you soon.");

  const silent = place("CAvmSilent", CALLER);
  await silent.until(() => happened("CAvmSilent", "voicemail.saved"), 20_000, "the voicemail's end");
  silent.hangup();
  await until(() => summaryEvents("CAvmSilent").length > 0, 5000, "the summary's decision");
  expect(summaryEvents("CAvmSilent")).toEqual([expect.objectContaining({ reason: "nothing_noted" })]);
  expect(rest.messages).toHaveLength(1);
});

test("post-call summary that WhatsApp refuses: logged and kept on the call, the call's record intact", async () => {
  setup({ settings: { postCallSummary: true } });
  rest.messageReply = refusal63016;
  const call = place("CAsumFail", CALLER);
  await call.untilQuiet();
  call.say("I need a plumber", h.stt);
  await call.answered();
  call.hangup();
  await until(() => happened("CAsumFail", "call.summary_failed"), 5000, "the failure's record");
  expect(callEvents("CAsumFail", "call.summary_failed")).toEqual([{ reason: expect.stringContaining("24 hours"), errorCode: "63016" }]);
  expect(summaryEvents("CAsumFail")).toEqual([expect.objectContaining({ level: "warn", event: "call.summary_failed", errorCode: "63016" })]);
  expect(services.calls.bySid("CAsumFail")).toMatchObject({ status: "completed" });
  expect(outbound("CAsumFail")).toEqual([expect.objectContaining({ status: "failed", errorCode: "63016" })]);
});
