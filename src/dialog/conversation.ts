/**
 * One call's conversation: what the agent says next, from the model when one is configured or from the scripted
 * dialog otherwise. The model's answer streams out sentence by sentence. If the model fails, or sends no first token
 * within `firstTokenMs`, the caller hears a short apology and the scripted dialog carries on — never silence.
 * The history keeps only what the caller actually heard (see `heard`).
 */
import { ProviderError } from "../providers/errors.ts";
import type { ChatMessage, LlmChunk, LlmProvider } from "../providers/llm.ts";
import type { Lines } from "./lines.ts";
import { ScriptedDialog } from "./script.ts";
import { SentenceSplitter } from "./sentences.ts";
import { runTool, TOOL_SPECS, type CallAction, type ToolHost } from "./tools.ts";

/** Abort reason for a reply nobody heard (a speculative answer the caller talked over): its turn is forgotten. */
export const UNHEARD = "unheard";

export type DialogOutput = { type: "say"; text: string } | { type: "action"; action: CallAction };

export interface ConversationOptions {
  lines: Lines;
  host: ToolHost;
  businessName: string;
  greeting?: string;
  llm?: LlmProvider;
  systemPrompt?: string;
  /** No first token within this → apology and the script (ms). */
  firstTokenMs?: number;
  onLlmError?: (error: ProviderError) => void;
  /** The model answered (its first chunk arrived): a provider that failed before has recovered. */
  onLlmOk?: () => void;
}

const MAX_TOOL_ROUNDS = 3;

export class Conversation {
  private script: ScriptedDialog;
  private messages: ChatMessage[] = [];
  private useLlm: boolean;
  private lastSaid = "";
  /** Index in `messages` where the latest turn (its user message) starts. */
  private turnStart = 0;


  constructor(private o: ConversationOptions) {
    this.script = new ScriptedDialog(o.lines, o.host);
    this.useLlm = Boolean(o.llm);
    if (o.systemPrompt) this.messages.push({ role: "system", content: o.systemPrompt });
  }

  get mode(): "llm" | "script" {
    return this.useLlm ? "llm" : "script";
  }

  greeting(): string {
    const text = this.o.greeting || this.o.lines.greeting(this.o.businessName);
    this.turnStart = this.messages.length;
    this.messages.push({ role: "assistant", content: text });
    this.lastSaid = text;
    return text;
  }

  /** The agent's reply to one caller utterance: sentences to say, then at most one action. */
  async *respond(userText: string, signal: AbortSignal): AsyncGenerator<DialogOutput> {
    this.turnStart = this.messages.length;
    const question: ChatMessage = { role: "user", content: userText };
    this.messages.push(question);
    // a reply dropped unheard (a speculative answer the caller talked over) is forgotten, even once complete
    signal.addEventListener("abort", () => signal.reason === UNHEARD && this.forget(question), { once: true });
    const said: string[] = [];
    try {
      for await (const out of this.reply(userText, signal)) {
        if (out.type === "say") said.push(out.text);
        yield out;
      }
    } finally {
      // abandoned before a word was said (the caller kept talking): the next utterance carries this text;
      // cut off mid-reply: keep what was produced, `heard()` trims it to what the caller heard
      if (signal.aborted && signal.reason !== UNHEARD) {
        if (!said.length) this.forget(question);
        else if (!this.turnReply()) this.messages.push({ role: "assistant", content: said.join(" ") });
      }
    }
  }

  /** Removes the turn that starts with `question` (up to the next user message). */
  private forget(question: ChatMessage): void {
    const at = this.messages.indexOf(question);
    if (at < 0) return;
    let end = at + 1;
    while (end < this.messages.length && this.messages[end]!.role !== "user") end++;
    this.messages.splice(at, end - at);
    this.turnStart = Math.min(this.turnStart, this.messages.length);
  }

  /** The plain assistant message (no tool calls) of the latest turn, if it has one. */
  private turnReply(): Extract<ChatMessage, { role: "assistant" }> | undefined {
    for (let i = this.messages.length - 1; i >= this.turnStart; i--) {
      const m = this.messages[i]!;
      if (m.role === "assistant" && !m.tool_calls) return m;
    }
    return undefined;
  }

  private async *reply(userText: string, signal: AbortSignal): AsyncGenerator<DialogOutput> {
    if (this.useLlm) {
      try {
        yield* this.fromLlm(signal);
        return;
      } catch (err) {
        if (signal.aborted) return;
        const error = err instanceof ProviderError ? err : new ProviderError("llm", "unknown", true, String(err));
        this.o.onLlmError?.(error);
        this.useLlm = false;
        yield* this.say([this.o.lines.apology]);
      }
    }
    const reply = this.script.respond(userText);
    this.messages.push({ role: "assistant", content: reply.sentences.join(" ") });
    yield* this.say(reply.sentences);
    if (reply.action) yield { type: "action", action: reply.action };
  }

  /** Replaces the latest turn's reply in the history with what the caller heard of it (after a barge-in). */
  heard(text: string): void {
    if (this.messages.length <= this.turnStart) return; // the turn was rolled back
    const reply = this.turnReply();
    if (reply) reply.content = text;
    else this.messages.push({ role: "assistant", content: text });
  }


  /** Yields sentences, never the same one twice in a row. */
  private *say(sentences: string[]): Generator<DialogOutput> {
    for (const text of sentences) {
      if (text === this.lastSaid) continue;
      this.lastSaid = text;
      yield { type: "say", text };
    }
  }

  private async *fromLlm(signal: AbortSignal): AsyncGenerator<DialogOutput> {
    let action: CallAction | undefined;
    let spoken = "";
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      const splitter = new SentenceSplitter();
      let text = "";
      let toolCalls: Extract<LlmChunk, { type: "tool_calls" }>["calls"] = [];
      for await (const chunk of this.withFirstTokenDeadline(signal)) {
        if (chunk.type === "text") {
          text += chunk.text;
          yield* this.say(splitter.push(chunk.text));
        } else toolCalls = chunk.calls;
      }
      yield* this.say(splitter.flush());
      spoken += (spoken && text ? " " : "") + text.trim();
      if (!toolCalls.length || signal.aborted) break;
      this.messages.push({ role: "assistant", content: text || null, tool_calls: toolCalls });
      for (const call of toolCalls) {
        const r = runTool(this.o.host, call.function.name, call.function.arguments);
        action ??= r.action;
        this.messages.push({ role: "tool", tool_call_id: call.id, content: r.result });
      }
      // an action after something was said needs no further round; otherwise ask the model to speak
      if (action && text.trim()) break;
    }
    if (signal.aborted) return; // respond() keeps what was said, or forgets the turn
    this.messages.push({ role: "assistant", content: spoken });
    if (action) yield { type: "action", action };
  }

  /** The model's stream, failing with a timeout when its first chunk takes longer than firstTokenMs. */
  private async *withFirstTokenDeadline(signal: AbortSignal): AsyncGenerator<LlmChunk> {
    const local = new AbortController();
    const onAbort = () => local.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    const iterator = this.o.llm!.stream({ messages: this.messages, tools: TOOL_SPECS }, local.signal)[Symbol.asyncIterator]();
    try {
      let timer: Timer | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          local.abort();
          reject(new ProviderError("llm", "timeout", true, `no first token within ${this.o.firstTokenMs ?? 4000} ms`));
        }, this.o.firstTokenMs ?? 4000);
      });
      let next: IteratorResult<LlmChunk>;
      try {
        next = await Promise.race([iterator.next(), deadline]);
      } finally {
        clearTimeout(timer);
      }
      this.o.onLlmOk?.();
      while (!next.done) {
        yield next.value;
        next = await iterator.next();
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      local.abort();
    }
  }
}
