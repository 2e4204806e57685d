/**
 * The conversation against a real OpenAI-compatible HTTP stand-in (through the production client and its health
 * breaker): streaming, tools, what the history keeps (heard / forget), failures answered by the script for one
 * turn, and the anti-loop rules that shorten a reply but never empty it.
 */
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { Conversation, type DialogOutput, type DialogTurn } from "../../../src/dialog/conversation.ts";
import { linesFor } from "../../../src/dialog/lines.ts";
import type { LeadInput } from "../../../src/dialog/tools.ts";
import { GuardedLlm } from "../../../src/providers/guarded.ts";
import { ProviderHealth } from "../../../src/providers/health.ts";
import { OpenAiLlm } from "../../../src/providers/openai/llm.ts";
import { FakeLlm } from "../../fakes/llm.ts";

let llm: FakeLlm;
beforeAll(() => {
  llm = new FakeLlm().start();
});
beforeEach(() => llm.reset());
afterAll(() => llm.stop());

const en = linesFor("en-US");

function make(o: { firstTokenMs?: number; cooldownMs?: number; scheduleCallback?: () => unknown } = {}) {
  const leads: LeadInput[] = [];
  const reports: Array<[string, string | undefined]> = [];
  const host = { canTransfer: true, saveLead: (l: LeadInput) => void leads.push(l), scheduleCallback: o.scheduleCallback ?? (() => {}) };
  const health = new ProviderHealth({ component: "llm", report: (s, r) => void reports.push([s, r]), cooldownMs: o.cooldownMs ?? 0 });
  const guarded = new GuardedLlm(new OpenAiLlm({ baseUrl: llm.url, apiKey: "k", model: "m" }), health, { firstTokenMs: o.firstTokenMs ?? 1000 });
  const conv = new Conversation({ lines: en, host, businessName: "Dana's Plumbing", llm: guarded, systemPrompt: "be brief" });
  return { conv, leads, reports, health };
}

/** Plays a turn to the end and settles it as fully heard, like a reply that played out. */
async function play(turn: DialogTurn): Promise<DialogOutput[]> {
  const out: DialogOutput[] = [];
  for await (const x of turn.outputs(new AbortController().signal)) out.push(x);
  turn.heard(out.flatMap((o) => (o.type === "say" ? [o.text] : [])).join(" "));
  return out;
}
const said = (out: DialogOutput[]) => out.flatMap((o) => (o.type === "say" ? [o.text] : []));
const history = () => llm.requests.at(-1)!.messages.filter((m) => m.role !== "system");

test("streams sentences as they complete; the history holds the greeting and the turn", async () => {
  llm.turns.push({ tokens: ["We open ", "at nine. ", "Anything ", "else?"], tokenMs: 5 });
  const { conv } = make();
  await play(conv.greeting());
  expect(await play(conv.respond("when do you open?"))).toEqual([
    { type: "say", text: "We open at nine." },
    { type: "say", text: "Anything else?" },
  ]);
  const req = llm.requests.at(-1)!;
  expect(req.messages.map((m) => m.role)).toEqual(["system", "assistant", "user"]);
  expect((req.tools as unknown[]).length).toBe(4);
  expect(conv.messages.at(-1)).toEqual({ role: "assistant", content: "We open at nine. Anything else?" });
});

test("tool calls run (validated), then the model speaks; end_call becomes an action", async () => {
  llm.turns.push({ toolCalls: [{ name: "save_lead", arguments: { name: "Dana", need: "leaking sink" } }] });
  llm.turns.push({ tokens: ["Thanks Dana, goodbye."], toolCalls: [{ name: "end_call", arguments: {} }] });
  const { conv, leads } = make();
  const out = await play(conv.respond("I'm Dana, my sink leaks"));
  expect(leads).toEqual([{ name: "Dana", need: "leaking sink" }]);
  expect(out).toEqual([
    { type: "say", text: "Thanks Dana, goodbye." },
    { type: "action", action: "hangup" },
  ]);
  expect(llm.requests.at(-1)!.messages.at(-1)).toMatchObject({ role: "tool", content: "saved" });
});

test("an LLM error → apology and the script for that turn; the next turn asks the model again", async () => {
  llm.turns.push({ status: 500 });
  llm.turns.push({ tokens: ["Back again."] });
  const { conv, reports } = make();
  await play(conv.greeting());
  expect(said(await play(conv.respond("I need an electrician")))).toEqual([en.apology, "Thank you. What's your name?"]);
  expect(reports.at(-1)![0]).toBe("err");
  expect(reports.at(-1)![1]).toContain("unavailable");
  expect(said(await play(conv.respond("Avi")))).toEqual(["Back again."]);
  expect(llm.requests).toHaveLength(2);
  expect(reports.at(-1)).toEqual(["ok", undefined]);
  // the script's answer is in the history the model sees
  expect(history().slice(-3)).toEqual([
    { role: "user", content: "I need an electrician" },
    { role: "assistant", content: `${en.apology} Thank you. What's your name?` },
    { role: "user", content: "Avi" },
  ]);
});

test("while the breaker is open the model is not asked: the script answers at once, without a second apology", async () => {
  llm.turns.push({ status: 503 });
  const { conv, health } = make({ cooldownMs: 60_000 });
  expect(said(await play(conv.respond("hello")))[0]).toBe(en.apology);
  expect(health.state).toBe("open");
  const out = said(await play(conv.respond("I need a plumber")));
  expect(out[0]).not.toBe(en.apology);
  expect(out.length).toBeGreaterThan(0);
  expect(llm.requests).toHaveLength(1);
});

test("no first token in time → apology and script, the slow request is abandoned", async () => {
  llm.turns.push({ firstTokenMs: 2000, tokens: ["too late"] });
  const { conv, reports } = make({ firstTokenMs: 200 });
  const t0 = performance.now();
  const out = said(await play(conv.respond("hello?")));
  expect(performance.now() - t0).toBeLessThan(1500);
  expect(out[0]).toBe(en.apology);
  expect(reports.at(-1)![1]).toContain("timeout");
});

test("heard(): an interrupted reply keeps what was heard; the previous reply is untouched", async () => {
  llm.turns.push({ tokens: ["First answer."] });
  llm.turns.push({ tokens: ["One. ", "Two. ", "Three."], tokenMs: 150 });
  llm.turns.push({ tokens: ["ok."] });
  const { conv } = make();
  await play(conv.respond("q1"));
  const barge = new AbortController();
  const turn = conv.respond("q2");
  for await (const out of turn.outputs(barge.signal)) {
    expect(out).toEqual({ type: "say", text: "One." });
    barge.abort(); // the caller interrupts after the first sentence
  }
  turn.heard("One. Tw…");
  await play(conv.respond("q3"));
  expect(history()).toEqual([
    { role: "user", content: "q1" },
    { role: "assistant", content: "First answer." },
    { role: "user", content: "q2" },
    { role: "assistant", content: "One. Tw…" },
    { role: "user", content: "q3" },
  ]);
});

test("forget(): a reply nobody heard leaves no trace, even after it produced sentences", async () => {
  llm.turns.push({ tokens: ["Maybe. ", "Perhaps."], tokenMs: 100 });
  llm.turns.push({ tokens: ["ok."] });
  const { conv } = make();
  const spec = new AbortController();
  const turn = conv.respond("half a sentence");
  for await (const out of turn.outputs(spec.signal)) {
    expect(out).toEqual({ type: "say", text: "Maybe." });
    spec.abort();
  }
  turn.forget();
  await play(conv.respond("half a sentence and the rest"));
  expect(history()).toEqual([{ role: "user", content: "half a sentence and the rest" }]);
});

test("forget(): a stopped turn keeps what its tools did — the calls that have results, not the unheard words, not the call still running", async () => {
  llm.turns.push({ tokens: ["Let me note that. "], toolCalls: [{ name: "save_lead", arguments: { name: "Dana" } }, { name: "schedule_callback", arguments: { when: "tomorrow" } }] });
  llm.turns.push({ tokens: ["Noted."] });
  let callbackAsked = () => {};
  const asked = new Promise<void>((r) => (callbackAsked = r));
  // the callback's database write never returns
  const { conv, leads } = make({ scheduleCallback: () => (callbackAsked(), new Promise(() => {})) });
  const stop = new AbortController();
  const turn = conv.respond("I'm Dana, call me tomorrow");
  const producing = (async () => {
    for await (const _ of turn.outputs(stop.signal));
  })();
  await asked; // save_lead has run; schedule_callback is under way
  stop.abort();
  turn.forget(); // the caller talked over it before any of it was heard
  void producing;
  expect(leads).toEqual([{ name: "Dana" }]);
  await play(conv.respond("are you there?"));
  expect(history() as unknown[]).toEqual([
    { role: "user", content: "I'm Dana, call me tomorrow" },
    { role: "assistant", content: null, tool_calls: [expect.objectContaining({ id: "call_0", function: expect.objectContaining({ name: "save_lead" }) })] },
    { role: "tool", tool_call_id: "call_0", content: "saved" },
    { role: "user", content: "are you there?" },
  ]);
});

test("forget(): a speculative turn dropped because the caller went on leaves no trace, even when a tool ran", async () => {
  llm.turns.push({ toolCalls: [{ name: "save_lead", arguments: { name: "Dana" } }] }, { tokens: ["Noted."] });
  llm.turns.push({ tokens: ["ok."] });
  const { conv, leads } = make();
  const turn = conv.respond("I'm Dana");
  turn.hold!();
  for await (const _ of turn.outputs(new AbortController().signal));
  turn.forget();
  expect(leads).toEqual([{ name: "Dana" }]);
  await play(conv.respond("I'm Dana from Haifa"));
  expect(history()).toEqual([{ role: "user", content: "I'm Dana from Haifa" }]);
});

test("a turn left unsettled when the next one starts was never heard", async () => {
  llm.turns.push({ tokens: ["Unheard."] }, { tokens: ["ok."] });
  const { conv } = make();
  const first = conv.respond("one");
  for await (const _ of first.outputs(new AbortController().signal));
  await play(conv.respond("two"));
  expect(history()).toEqual([{ role: "user", content: "two" }]);
});

test("a greeting cut short is kept as heard", async () => {
  llm.turns.push({ tokens: ["ok."] });
  const { conv } = make();
  conv.greeting().heard("Hello, you've…");
  await play(conv.respond("hi"));
  expect(history()).toEqual([
    { role: "assistant", content: "Hello, you've…" },
    { role: "user", content: "hi" },
  ]);
});

test("a model that repeats its one-sentence answer is still heard, twice in a row", async () => {
  const again = "Sorry, could you say that again?";
  llm.turns.push({ tokens: [again] }, { tokens: [again] }, { tokens: [again] });
  const { conv } = make();
  expect(said(await play(conv.respond("mmm")))).toEqual([again]);
  expect(said(await play(conv.respond("mmm mmm")))).toEqual([again]);
  expect(said(await play(conv.respond("mmm mmm mmm")))).toEqual([again]);
});

test("a repeated sentence is dropped when the reply has more to say; a sentence repeated inside a reply is said once", async () => {
  llm.turns.push({ tokens: ["Is there anything else?"] });
  llm.turns.push({ tokens: ["Is there anything else? ", "We also fix boilers. ", "We also fix boilers."] });
  const { conv } = make();
  await play(conv.respond("thanks"));
  expect(said(await play(conv.respond("what else do you do")))).toEqual(["We also fix boilers."]);
});

test("the agent never introduces itself twice, unless that is all the model said", async () => {
  llm.turns.push({ tokens: ["I'm the virtual assistant. ", "We open at nine."] });
  llm.turns.push({ tokens: ["I'm the virtual assistant."] });
  const { conv } = make();
  await play(conv.greeting()); // "Hello, you've reached Dana's Plumbing. I'm the virtual assistant. How can I help?"
  expect(said(await play(conv.respond("when do you open")))).toEqual(["We open at nine."]);
  expect(said(await play(conv.respond("who are you")))).toEqual(["I'm the virtual assistant."]);
});

test("a model that repeats its answer across a barge-in is heard again", async () => {
  const hours = "We open at nine.";
  llm.turns.push({ tokens: [hours] }, { tokens: [hours] });
  const { conv } = make();
  const turn = conv.respond("when do you open");
  for await (const _ of turn.outputs(new AbortController().signal));
  turn.heard("We open…"); // cut off mid-sentence
  expect(said(await play(conv.respond("sorry, when?")))).toEqual([hours]);
});

test("an empty answer is answered from the script; an answer that is only a tool call is acknowledged", async () => {
  llm.turns.push({ tokens: [] });
  llm.turns.push({ toolCalls: [{ name: "save_lead", arguments: { name: "Noa" } }] }, { tokens: [] });
  llm.turns.push({ toolCalls: [{ name: "end_call", arguments: {} }] }, { tokens: [] }); // asked to speak, it says nothing
  const { conv, leads } = make();
  expect(said(await play(conv.respond("I need a plumber")))).toEqual(["Thank you. What's your name?"]);
  expect(said(await play(conv.respond("Noa")))).toEqual([en.noted]);
  expect(leads).toEqual([{ need: "I need a plumber" }, { name: "Noa" }]); // the script's, then the model's
  expect(await play(conv.respond("bye"))).toEqual([
    { type: "say", text: en.goodbye },
    { type: "action", action: "hangup" },
  ]);
});

test("tool arguments are checked: malformed JSON, a missing field, an unknown tool are told to the model", async () => {
  llm.turns.push({
    toolCalls: [
      { name: "schedule_callback", arguments: { notes: "no when" } },
      { name: "save_lead", arguments: '{"name": "Dana"' },
      { name: "no_such_tool", arguments: {} },
    ],
  });
  llm.turns.push({ tokens: ["When should we call?"] });
  const { conv } = make();
  await play(conv.respond("call me"));
  const tools = llm.requests.at(-1)!.messages.filter((m) => m.role === "tool").map((m) => m.content);
  expect(tools).toEqual(["error: when: Invalid input: expected string, received undefined", "error: arguments are not valid JSON", "error: unknown tool no_such_tool"]);
});
