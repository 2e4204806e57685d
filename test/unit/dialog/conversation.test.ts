/** The conversation against a real OpenAI-compatible HTTP stand-in: streaming, tools, failures → script. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Conversation, UNHEARD } from "../../../src/dialog/conversation.ts";
import { linesFor } from "../../../src/dialog/lines.ts";
import type { LeadInput } from "../../../src/dialog/tools.ts";
import type { ProviderError } from "../../../src/providers/errors.ts";
import { OpenAiLlm } from "../../../src/providers/openai/llm.ts";
import { FakeLlm } from "../../fakes/llm.ts";

let llm: FakeLlm;
beforeAll(() => {
  llm = new FakeLlm().start();
});
afterAll(() => llm.stop());

function make(o: { firstTokenMs?: number } = {}) {
  const leads: LeadInput[] = [];
  const errors: ProviderError[] = [];
  const host = { canTransfer: true, saveLead: (l: LeadInput) => leads.push(l), scheduleCallback: () => {} };
  const conv = new Conversation({
    lines: linesFor("en-US"),
    host,
    businessName: "Dana's Plumbing",
    llm: new OpenAiLlm({ baseUrl: llm.url, apiKey: "k", model: "m" }),
    systemPrompt: "be brief",
    firstTokenMs: o.firstTokenMs ?? 1000,
    onLlmError: (e) => errors.push(e),
  });
  return { conv, leads, errors };
}

async function collect(it: AsyncIterable<unknown>) {
  const out: unknown[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test("streams sentences as they complete and keeps the history", async () => {
  llm.turns.push({ tokens: ["We open ", "at nine. ", "Anything ", "else?"], tokenMs: 5 });
  const { conv } = make();
  conv.greeting();
  const out = await collect(conv.respond("when do you open?", new AbortController().signal));
  expect(out).toEqual([
    { type: "say", text: "We open at nine." },
    { type: "say", text: "Anything else?" },
  ]);
  const req = llm.requests.at(-1)!;
  expect(req.messages.map((m) => m.role)).toEqual(["system", "assistant", "user"]);
  expect((req.tools as unknown[]).length).toBe(4);
});

test("tool calls run (validated), then the model speaks; end_call becomes an action", async () => {
  llm.turns.push({ toolCalls: [{ name: "save_lead", arguments: { name: "Dana", need: "leaking sink" } }] });
  llm.turns.push({ tokens: ["Thanks Dana, goodbye."], toolCalls: [{ name: "end_call", arguments: {} }] });
  const { conv, leads } = make();
  const out = await collect(conv.respond("I'm Dana, my sink leaks", new AbortController().signal));
  expect(leads).toEqual([{ name: "Dana", need: "leaking sink" }]);
  expect(out).toEqual([
    { type: "say", text: "Thanks Dana, goodbye." },
    { type: "action", action: "hangup" },
  ]);
  const second = llm.requests.at(-1)!;
  expect(second.messages.at(-1)).toMatchObject({ role: "tool", content: "saved" });
});

test("an LLM error → apology, then the scripted dialog continues (and stays)", async () => {
  llm.turns.push({ status: 500 });
  const { conv, errors } = make();
  conv.greeting();
  const out = await collect(conv.respond("I need an electrician", new AbortController().signal));
  expect(out).toEqual([
    { type: "say", text: linesFor("en-US").apology },
    { type: "say", text: "Thank you. What's your name?" },
  ]);
  expect(errors[0]!.kind).toBe("unavailable");
  expect(conv.mode).toBe("script");
  const before = llm.requests.length;
  await collect(conv.respond("Avi", new AbortController().signal));
  expect(llm.requests.length).toBe(before);
});

test("no first token in time → apology and script, the slow request is abandoned", async () => {
  llm.turns.push({ firstTokenMs: 2000, tokens: ["too late"] });
  const { conv, errors } = make({ firstTokenMs: 200 });
  const t0 = performance.now();
  const out = (await collect(conv.respond("hello?", new AbortController().signal))) as Array<{ text: string }>;
  expect(performance.now() - t0).toBeLessThan(1500);
  expect(out[0]!.text).toBe(linesFor("en-US").apology);
  expect(errors[0]!.kind).toBe("timeout");
});

test("heard() replaces the last reply with what the caller heard", async () => {
  llm.turns.push({ tokens: ["One. Two. Three."] });
  llm.turns.push({ tokens: ["ok."] });
  const { conv } = make();
  await collect(conv.respond("count", new AbortController().signal));
  conv.heard("One. Tw…");
  await collect(conv.respond("again", new AbortController().signal));
  const msgs = llm.requests.at(-1)!.messages;
  expect(msgs.at(-2)).toEqual({ role: "assistant", content: "One. Tw…" });
});

test("an interrupted reply keeps what was heard for that turn; the previous reply is untouched", async () => {
  llm.turns.push({ tokens: ["First answer."] });
  llm.turns.push({ tokens: ["One. ", "Two. ", "Three."], tokenMs: 150 });
  llm.turns.push({ tokens: ["ok."] });
  const { conv } = make();
  await collect(conv.respond("q1", new AbortController().signal));
  const barge = new AbortController();
  for await (const out of conv.respond("q2", barge.signal)) {
    expect(out).toEqual({ type: "say", text: "One." });
    barge.abort(); // the caller interrupts after the first sentence
  }
  conv.heard("One.");
  await collect(conv.respond("q3", new AbortController().signal));
  const msgs = llm.requests.at(-1)!.messages.filter((m) => m.role !== "system");
  expect(msgs).toEqual([
    { role: "user", content: "q1" },
    { role: "assistant", content: "First answer." },
    { role: "user", content: "q2" },
    { role: "assistant", content: "One." },
    { role: "user", content: "q3" },
  ]);
});

test("a reply aborted as UNHEARD is forgotten, even after it produced sentences (a dropped speculative answer)", async () => {
  llm.turns.push({ tokens: ["Maybe. ", "Perhaps."], tokenMs: 100 });
  llm.turns.push({ tokens: ["ok."] });
  const { conv } = make();
  const spec = new AbortController();
  for await (const out of conv.respond("half a sentence", spec.signal)) {
    expect(out).toEqual({ type: "say", text: "Maybe." });
    spec.abort(UNHEARD);
  }
  await collect(conv.respond("half a sentence and the rest", new AbortController().signal));
  const msgs = llm.requests.at(-1)!.messages.filter((m) => m.role !== "system");
  expect(msgs).toEqual([{ role: "user", content: "half a sentence and the rest" }]);
});

test("a greeting cut short is kept as heard", async () => {
  llm.turns.push({ tokens: ["ok."] });
  const { conv } = make();
  conv.greeting();
  conv.heard("Hello, you've…");
  await collect(conv.respond("hi", new AbortController().signal));
  const msgs = llm.requests.at(-1)!.messages.filter((m) => m.role !== "system");
  expect(msgs).toEqual([
    { role: "assistant", content: "Hello, you've…" },
    { role: "user", content: "hi" },
  ]);
});
