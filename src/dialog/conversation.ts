/**
 * One call's conversation: what the agent says next, from the model when one is configured or from the scripted
 * dialog otherwise. Each reply is a DialogTurn; the call settles every turn exactly once, with what the caller
 * heard of it (`heard`) or as never heard (`forget`), so the history the model sees holds only what the caller
 * actually heard. The model's answer streams out sentence by sentence; a model failure (error, no first token in
 * time, an open breaker) answers that turn from the script after a short apology — the next turn tries the model
 * again. The anti-loop rules shorten replies but never empty them.
 */
import { asProviderError } from "../providers/health.ts";
import type { ProviderError } from "../providers/errors.ts";
import type { ChatMessage, LlmChunk, LlmProvider } from "../providers/llm.ts";
import { AntiLoop, type ReplyFilter } from "./anti-loop.ts";
import type { Lines } from "./lines.ts";
import { ScriptedDialog } from "./script.ts";
import { SentenceSplitter } from "./sentences.ts";
import type { ToolLines } from "./tool-lines.ts";
import { reachesCaller, runTool, toolSpecs, type CallAction, type ToolHost } from "./tools.ts";

export type DialogOutput = { type: "say"; text: string } | { type: "action"; action: CallAction };

/** One reply of the agent, settled once by the call with what the caller heard of it. */
export interface DialogTurn {
  /** Sentences to say, then at most one action; produced on demand, stopped by `signal`. */
  outputs(signal: AbortSignal): AsyncIterable<DialogOutput>;
  /** The caller heard `text` of this reply (all of it, or up to where it was cut off): it enters the history. */
  heard(text: string): void;
  /** The caller heard none of it: the turn leaves no trace (its words come back with the caller's next ones). */
  forget(): void;
  /**
   * A speculative turn (an answer prepared before the caller surely finished): it may run tools that can be undone
   * (saving), but a tool that reaches the caller (a WhatsApp message, a payment link) waits for `release`.
   */
  hold?(): void;
  /** The held turn is confirmed: the caller finished with exactly these words. */
  release?(): void;
}

export interface ConversationOptions {
  lines: Lines;
  host: ToolHost;
  businessName: string;
  greeting?: string;
  llm?: LlmProvider;
  systemPrompt?: string;
  /** The model failed for this turn and the script answered it. */
  onLlmFallback?(error: ProviderError): void;
  /** What the script says about WhatsApp; without them the script does not offer to send anything. */
  toolLines?: ToolLines;
}

const MAX_TOOL_ROUNDS = 3;

export class Conversation {
  private script: ScriptedDialog;
  private history: ChatMessage[] = [];
  private antiLoop = new AntiLoop();
  private host: ToolHost;
  /** The script answered the previous turn because the model failed (so the apology is not repeated). */
  private onScript = false;
  private open?: ReplyTurn;

  constructor(private o: ConversationOptions) {
    this.host = o.host;
    this.script = new ScriptedDialog(o.lines, this.host, { details: Boolean(o.toolLines && this.host.sendWhatsapp && this.host.businessDetails) });
    if (o.systemPrompt) this.history.push({ role: "system", content: o.systemPrompt });
  }

  /** Whether replies come from a model (and so are worth starting before the caller has surely finished). */
  get mode(): "llm" | "script" {
    return this.o.llm ? "llm" : "script";
  }

  /** The messages a model would see now (for tests and logs). */
  get messages(): readonly ChatMessage[] {
    return this.history;
  }

  /** The greeting, spoken once at the start of the call. */
  greeting(): DialogTurn {
    const text = this.o.greeting || this.o.lines.greeting(this.o.businessName);
    return this.begin(new ReplyTurn(this, undefined, async function* () {
      yield { type: "say", text };
    }));
  }

  /**
   * Sentences of a reply cut off by a noise (a barge-in that brought no words), said again: as heard, they enter
   * the history as the agent's, after what was heard of the cut reply.
   */
  again(sentences: string[], action?: CallAction): DialogTurn {
    const turn = new ReplyTurn(this, undefined, async function* () {
      for (const text of sentences) yield { type: "say", text } as const;
      if (action) yield { type: "action", action } as const;
    });
    turn.introduces = false;
    return this.begin(turn);
  }

  /** The reply to one caller utterance. */
  respond(userText: string): DialogTurn {
    const turn: ReplyTurn = new ReplyTurn(this, userText, (signal) => this.reply(turn, userText, signal));
    return this.begin(turn);
  }

  private begin(turn: ReplyTurn): ReplyTurn {
    // one reply at a time: a turn the call left unsettled was never heard
    this.open?.forget();
    this.open = turn;
    return turn;
  }

  /** @internal the turn's settlement */
  settle(turn: ReplyTurn, heard: string | undefined): void {
    if (this.open === turn) this.open = undefined;
    if (heard === undefined) {
      if (turn.scriptState) this.script.restore(turn.scriptState);
      // what its tools did stays done (a message sent, a lead saved): the model is told, or it may do it again.
      // Only the caller's words, the calls and their results: what the model said alongside was never heard.
      if (turn.acted) this.history.push(...doneOnly(turn.messages));
      return;
    }
    this.history.push(...turn.messages);
    if (heard) this.history.push({ role: "assistant", content: heard });
    if (turn.introduces) this.antiLoop.introduced(heard);
    else this.antiLoop.heard(heard);
  }

  private async *reply(turn: ReplyTurn, userText: string, signal: AbortSignal): AsyncGenerator<DialogOutput> {
    const filter = this.antiLoop.reply();
    if (this.o.llm) {
      try {
        const action = yield* this.fromLlm(turn, filter, signal);
        const usedTools = turn.messages.some((m) => m.role === "tool");
        if (!filter.empty || action || usedTools) {
          this.onScript = false;
          // a model that only acted is still heard: a goodbye, a transfer notice, or an acknowledgement
          if (filter.empty) yield* this.say(filter, [action === "transfer" ? this.o.lines.transferring : action === "hangup" ? this.o.lines.goodbye : this.o.lines.noted]);
          if (action) yield { type: "action", action };
          return;
        }
        // the model said nothing at all: the script answers this turn
      } catch (err) {
        if (signal.aborted) return;
        this.o.onLlmFallback?.(asProviderError("llm", err));
        if (!this.onScript) yield* this.say(filter, [this.o.lines.apology]);
        this.onScript = true;
      }
    }
    turn.scriptState ??= this.script.snapshot();
    const reply = this.script.respond(userText);
    if (reply.details) yield* this.say(filter, [await this.sendDetails(), ...(reply.sentences.length ? [] : [this.o.toolLines!.anythingElse])]);
    yield* this.say(filter, reply.sentences);
    const last = filter.finish();
    if (last) yield { type: "say", text: last };
    if (reply.action) yield { type: "action", action: reply.action };
  }

  /** The script sends the business's details through the host (the one send path) and says only what happened. */
  private async sendDetails(): Promise<string> {
    const l = this.o.toolLines!;
    try {
      const r = await this.host.sendWhatsapp!(this.host.businessDetails!);
      return r.sent ? l.detailsSent : r.why === "pending" ? l.detailsPending : l.detailsNotSent;
    } catch {
      return l.detailsNotSent;
    }
  }

  private *say(filter: ReplyFilter, sentences: string[]): Generator<DialogOutput> {
    for (const s of sentences) {
      const text = filter.pass(s);
      if (text) yield { type: "say", text };
    }
  }

  /** The model's answer, with up to MAX_TOOL_ROUNDS of tool calls; returns the action a tool asked for. */
  private async *fromLlm(turn: ReplyTurn, filter: ReplyFilter, signal: AbortSignal): AsyncGenerator<DialogOutput, CallAction | undefined> {
    let action: CallAction | undefined;
    for (let round = 0; round < MAX_TOOL_ROUNDS; round++) {
      const splitter = new SentenceSplitter();
      let text = "";
      let toolCalls: Extract<LlmChunk, { type: "tool_calls" }>["calls"] = [];
      const stream = this.o.llm!.stream({ messages: [...this.history, ...turn.messages], tools: toolSpecs(this.host) }, signal);
      for await (const chunk of stream) {
        if (chunk.type === "text") {
          text += chunk.text;
          yield* this.say(filter, splitter.push(chunk.text));
        } else toolCalls = chunk.calls;
      }
      yield* this.say(filter, splitter.flush());
      if (!toolCalls.length || signal.aborted) break;
      // a speculative turn sends nothing to the caller until it is theirs; dropped, it does nothing more
      if (toolCalls.some((c) => reachesCaller(c.function.name)) && !(await turn.confirmed())) break;
      turn.messages.push({ role: "assistant", content: text || null, tool_calls: toolCalls });
      for (const call of toolCalls) {
        const r = await runTool(this.host, call.function.name, call.function.arguments);
        action ??= r.action;
        turn.messages.push({ role: "tool", tool_call_id: call.id, content: r.result });
      }
      // an action after something was said needs no further round; otherwise ask the model to speak — unless the
      // turn was stopped while its tools ran (nobody would hear the answer)
      if ((action && text.trim()) || signal.aborted) break;
    }
    const last = filter.finish();
    if (last) yield { type: "say", text: last };
    return action;
  }
}

class ReplyTurn implements DialogTurn {
  /** This turn's messages before its reply (the caller's words, tool calls and results). */
  readonly messages: ChatMessage[] = [];
  /** The script's state before this turn used it (restored when the turn is forgotten). */
  scriptState?: ReturnType<ScriptedDialog["snapshot"]>;
  /** The greeting: what is heard of it is the agent's introduction (never repeated by a later reply). */
  introduces: boolean;
  private settled = false;
  private released = false;
  /** Set while the turn is held (speculative): resolves true on release, false when it is dropped. */
  private confirmation?: PromiseWithResolvers<boolean>;

  constructor(
    private conversation: Conversation,
    readonly userText: string | undefined,
    private produce: (signal: AbortSignal) => AsyncIterable<DialogOutput>,
  ) {
    if (userText !== undefined) this.messages.push({ role: "user", content: userText });
    this.introduces = userText === undefined;
  }

  outputs(signal: AbortSignal): AsyncIterable<DialogOutput> {
    return this.produce(signal);
  }

  heard(text: string): void {
    if (this.settled) return;
    this.settled = true;
    this.confirmation?.resolve(true);
    this.conversation.settle(this, text.trim());
  }

  forget(): void {
    if (this.settled) return;
    this.settled = true;
    this.confirmation?.resolve(false);
    this.conversation.settle(this, undefined);
  }

  hold(): void {
    if (!this.settled) this.confirmation ??= Promise.withResolvers<boolean>();
  }

  release(): void {
    this.released = true;
    this.confirmation?.resolve(true);
  }

  /**
   * Its tools ran for the caller: a turn that was theirs (not a speculative one dropped because they went on,
   * whose words come back with what they say next) and that has tool results.
   */
  get acted(): boolean {
    return (!this.confirmation || this.released) && this.messages.some((m) => m.role === "tool");
  }

  /** True at once for a turn that is the caller's; for a held one, when it is released (false if dropped). */
  confirmed(): Promise<boolean> {
    return this.confirmation?.promise ?? Promise.resolve(true);
  }
}

/**
 * A stopped turn's messages that say what its tools did: the caller's words, each tool call that has its result
 * (one stopped mid-way has none, and a call without its result is refused by the API), and the results. What the
 * model said alongside the calls was never heard, so it is left out.
 */
function doneOnly(messages: ChatMessage[]): ChatMessage[] {
  const answered = new Set(messages.flatMap((m) => (m.role === "tool" ? [m.tool_call_id] : [])));
  return messages.flatMap((m): ChatMessage[] => {
    if (m.role !== "assistant") return [m];
    const calls = m.tool_calls?.filter((c) => answered.has(c.id)) ?? [];
    return calls.length ? [{ role: "assistant", content: null, tool_calls: calls }] : [];
  });
}

/** Fixed sentences (and an action after them) as a turn outside the conversation's history. */
export function fixedTurn(sentences: string[], action?: CallAction): DialogTurn {
  return {
    async *outputs() {
      for (const text of sentences) yield { type: "say", text };
      if (action) yield { type: "action", action };
    },
    heard() {},
    forget() {},
  };
}
