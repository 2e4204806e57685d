/**
 * A real HTTP server speaking the OpenAI Chat Completions streaming protocol (SSE), scripted per request:
 * a delay before the first token, tokens at a pace, tool calls, or an error status.
 */
import type { Server } from "bun";

export interface LlmTurn {
  /** Wait before the first byte (ms). */
  firstTokenMs?: number;
  tokens?: string[];
  tokenMs?: number;
  /** Arguments as an object (sent as JSON) or as raw text (malformed JSON, as models sometimes send). */
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> | string }>;
  /** Answer this HTTP status with an error body instead of a stream. */
  status?: number;
}

type Request = { messages: Array<{ role: string; content: unknown }>; tools?: unknown[]; model: string };

export class FakeLlm {
  /** Turns answered in order; when empty, `fallback` answers (a function sees the request). */
  readonly turns: LlmTurn[] = [];
  fallback: LlmTurn | ((request: Request) => LlmTurn) = { tokens: ["Okay."] };
  readonly requests: Request[] = [];
  private server?: Server<unknown>;
  private waiters: Array<() => void> = [];

  /** Fresh script for the next test: no queued turns, no recorded requests, the default answer. */
  reset(): void {
    this.turns.length = 0;
    this.requests.length = 0;
    this.fallback = { tokens: ["Okay."] };
  }

  /** Resolves once `n` requests in all have arrived. */
  async waitForRequests(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > deadline) throw new Error(`the model got ${this.requests.length} requests, expected ${n}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.server!.port}/v1`;
  }

  start(): this {
    this.server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      idleTimeout: 0,
      fetch: async (req) => {
        if (!new URL(req.url).pathname.endsWith("/chat/completions")) return new Response("not found", { status: 404 });
        const body = (await req.json()) as Request;
        this.requests.push(body);
        for (const w of this.waiters.splice(0)) w();
        const turn = this.turns.shift() ?? (typeof this.fallback === "function" ? this.fallback(body) : this.fallback);
        if (turn.status) {
          if (turn.firstTokenMs) await Bun.sleep(turn.firstTokenMs);
          return Response.json({ error: { message: "fake failure", type: "server_error" } }, { status: turn.status });
        }
        const enc = new TextEncoder();
        const chunk = (delta: unknown, finish: string | null = null) =>
          enc.encode(`data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
        const stream = new ReadableStream<Uint8Array>({
          async start(controller) {
            try {
              if (turn.firstTokenMs) await Bun.sleep(turn.firstTokenMs);
              controller.enqueue(chunk({ role: "assistant", content: "" }));
              for (const t of turn.tokens ?? []) {
                controller.enqueue(chunk({ content: t }));
                if (turn.tokenMs) await Bun.sleep(turn.tokenMs);
              }
              (turn.toolCalls ?? []).forEach((call, index) => {
                const args = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments);
                controller.enqueue(chunk({ tool_calls: [{ index, id: `call_${index}`, type: "function", function: { name: call.name, arguments: "" } }] }));
                // arguments arrive in pieces, as real servers send them
                for (let i = 0; i < args.length; i += 7) controller.enqueue(chunk({ tool_calls: [{ index, function: { arguments: args.slice(i, i + 7) } }] }));
              });
              controller.enqueue(chunk({}, turn.toolCalls?.length ? "tool_calls" : "stop"));
              controller.enqueue(enc.encode("data: [DONE]\n\n"));
              controller.close();
            } catch {
              // client went away (aborted request)
            }
          },
        });
        return new Response(stream, { headers: { "content-type": "text/event-stream" } });
      },
    });
    return this;
  }

  stop() {
    this.server?.stop(true);
  }
}
