/**
 * Any OpenAI-compatible Chat Completions server (OpenAI, Azure-style gateways, vLLM, Ollama, LM Studio…), streamed.
 * Text deltas are passed on as they come; tool calls, which arrive in pieces, are assembled and passed on whole.
 */
import type OpenAI from "openai";
import { ProviderError } from "../errors.ts";
import type { ChatMessage, LlmChunk, LlmProvider, ToolCall, ToolSpec } from "../llm.ts";

export class OpenAiLlm implements LlmProvider {
  readonly name = "openai-compatible";
  private client?: Promise<OpenAI>;

  constructor(private o: { apiKey?: string; baseUrl?: string; model: string; timeoutMs?: number }) {}

  private getClient(): Promise<OpenAI> {
    this.client ??= import("openai").then(
      ({ default: OpenAIClass }) =>
        new OpenAIClass({ apiKey: this.o.apiKey ?? "none", baseURL: this.o.baseUrl, maxRetries: 0, timeout: this.o.timeoutMs ?? 30_000 }),
    );
    return this.client;
  }

  async *stream(request: { messages: ChatMessage[]; tools?: ToolSpec[] }, signal: AbortSignal): AsyncIterable<LlmChunk> {
    const client = await this.getClient();
    let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
    try {
      stream = await client.chat.completions.create(
        {
          model: this.o.model,
          messages: request.messages as OpenAI.Chat.Completions.ChatCompletionMessageParam[],
          tools: request.tools?.length ? request.tools : undefined,
          stream: true,
          temperature: 0.4,
        },
        { signal },
      );
    } catch (err) {
      throw toProviderError(err, signal);
    }
    const calls = new Map<number, ToolCall>();
    try {
      for await (const chunk of stream) {
        const delta = chunk.choices?.[0]?.delta;
        if (!delta) continue;
        if (delta.content) yield { type: "text", text: delta.content };
        for (const piece of delta.tool_calls ?? []) {
          const call = calls.get(piece.index) ?? { id: "", type: "function" as const, function: { name: "", arguments: "" } };
          if (piece.id) call.id = piece.id;
          if (piece.function?.name) call.function.name += piece.function.name;
          if (piece.function?.arguments) call.function.arguments += piece.function.arguments;
          calls.set(piece.index, call);
        }
      }
    } catch (err) {
      throw toProviderError(err, signal);
    }
    if (calls.size) yield { type: "tool_calls", calls: [...calls.values()].map((c, i) => ({ ...c, id: c.id || `call_${i}` })) };
  }
}

function toProviderError(err: unknown, signal: AbortSignal): ProviderError {
  if (signal.aborted) return new ProviderError("llm", "aborted", false, "aborted");
  const status = (err as { status?: number }).status;
  const message = err instanceof Error ? err.message : String(err);
  if (status === 401 || status === 403) return new ProviderError("llm", "auth", false, message);
  if (status === 429) return new ProviderError("llm", "limit", true, message);
  if (status && status >= 400 && status < 500) return new ProviderError("llm", "bad_request", false, message);
  return new ProviderError("llm", "unavailable", true, message);
}
