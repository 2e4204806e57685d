/**
 * Turns whose tools take long or are stopped: the holding line covers a slow tool and a second model round (no
 * "could not answer" at 10 s), and what a stopped turn's tools did stays in the model's history so it never sends
 * twice.
 */
import { expect, test } from "bun:test";
import { agentSaid, CALLER, callEvents, h, happened, place, rest, setup, useCallToolsFixture } from "../../support/call-tools-fixture.ts";

useCallToolsFixture();

test("a turn whose tools and second model round take over 10 s: the holding line covers the wait, the answer is heard, and the send is remembered", async () => {
  setup({ llm: true });
  let release = () => {};
  rest.holdMessages = new Promise<void>((r) => (release = r)); // Twilio slow: the tool waits its full TOOL_WAIT_MS
  h.llm!.turns.push({ firstTokenMs: 3000, toolCalls: [{ name: "send_whatsapp", arguments: { text: "Our address: 1 Herzl St" } }] });
  h.llm!.turns.push({ firstTokenMs: 3000, tokens: ["It should reach your WhatsApp shortly."] });
  const call = place("CAlongtools", CALLER);
  await call.untilQuiet();
  call.say("send me your address", h.stt);
  await call.until(() => happened("CAlongtools", "EoU_ms"), 3000, "end of utterance");
  const eouAt = h.clock.now();
  await call.until(() => agentSaid("CAlongtools").some((t) => t.includes("It should reach your WhatsApp shortly.")), 20_000, "the answer");
  // 3 s + 5 s + 3 s of work: past the old 10 s limit, and no "could not answer" cut it
  expect(h.clock.now() - eouAt).toBeGreaterThan(10_000);
  await call.untilQuiet();
  release();
  h.llm!.turns.push({ tokens: ["You're welcome."] });
  call.say("thanks", h.stt);
  await call.answered();
  call.hangup();
  const said = agentSaid("CAlongtools");
  expect(said.join(" ")).not.toContain(h.lines.notAnswered);
  expect(said.some((t) => t.startsWith(h.lines.holding))).toBe(true);
  expect(callEvents("CAlongtools", "turn.unanswered")).toHaveLength(1); // kept when the holding line was needed
  // the model's next request holds the send and its result: it will not send again
  const next = h.llm!.requests.at(-1)!.messages;
  expect(next.some((m) => m.role === "assistant" && m.tool_calls?.[0]?.function.name === "send_whatsapp")).toBe(true);
  expect(next.filter((m) => m.role === "tool")).toHaveLength(1);
  expect(rest.messages).toHaveLength(1);
});

test("a turn stopped while its tools ran (the caller talked over the holding line): what the tools did stays in the model's history", async () => {
  setup({ llm: true });
  h.llm!.turns.push({ firstTokenMs: 3000, tokens: ["I'll send it now. "], toolCalls: [{ name: "send_whatsapp", arguments: { text: "Our address: 1 Herzl St" } }] });
  h.llm!.turns.push({ firstTokenMs: 3900, tokens: ["Sent."] });
  h.llm!.turns.push({ tokens: ["We are open until six."] });
  h.tts.hang = (t) => t === "I'll send it now."; // the model's words alongside the call are never heard
  h.offline.hang = (t) => t === "I'll send it now.";
  const call = place("CAtoolsstop", CALLER);
  await call.untilQuiet();
  call.say("send me your address", h.stt);
  await call.until(() => agentSaid("CAtoolsstop").length > 0 && happened("CAtoolsstop", "turn.unanswered"), 10_000, "the holding line");
  await call.until(() => rest.messages.length === 1, 5000, "the send");
  call.say("and until when are you open", h.stt, 900);
  await call.until(() => happened("CAtoolsstop", "BARGE_IN"), 3000, "the barge-in");
  await call.answered();
  call.hangup();
  const asked = h.llm!.requests.at(-1)!.messages.filter((m) => m.role !== "system");
  const toolCall = asked.find((m) => m.role === "assistant" && m.tool_calls?.length);
  expect(toolCall).toMatchObject({ content: null, tool_calls: [{ function: { name: "send_whatsapp" } }] });
  expect(asked.filter((m) => m.role === "tool").map((m) => m.content)).toEqual(["sent: the caller will get it on WhatsApp"]);
  expect(asked.at(-1)).toEqual({ role: "user", content: "and until when are you open" });
  expect(rest.messages).toHaveLength(1);
});
