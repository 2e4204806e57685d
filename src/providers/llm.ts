/** A chat model that streams: text deltas and tool calls (OpenAI Chat Completions shape). */
export type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: ToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export interface ToolSpec {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export type LlmChunk = { type: "text"; text: string } | { type: "tool_calls"; calls: ToolCall[] };

export interface LlmProvider {
  readonly name: string;
  stream(request: { messages: ChatMessage[]; tools?: ToolSpec[] }, signal: AbortSignal): AsyncIterable<LlmChunk>;
}
