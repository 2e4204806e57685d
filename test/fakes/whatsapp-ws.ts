/**
 * A real WebSocket server standing in for WhatsApp's (`WHATSAPP_WS_URL`): it cannot complete WhatsApp's Noise
 * handshake (the server certificate is signed by WhatsApp), so it plays the two ways a connection fails —
 * `close` ends every connection at once, `silent` accepts and never says a word. It records each connection
 * attempt and how many were open at once.
 */
import type { Server, ServerWebSocket } from "bun";

export interface Attempt {
  /** performance.now() when the upgrade request arrived. */
  at: number;
  origin: string | null;
  closedAt?: number;
}

export class FakeWhatsappServer {
  readonly attempts: Attempt[] = [];
  mode: "close" | "silent";
  open = 0;
  maxOpen = 0;
  private server?: Server<Attempt>;
  private waiters: Array<() => void> = [];

  constructor(mode: "close" | "silent" = "close") {
    this.mode = mode;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.server!.port}/ws/chat`;
  }

  start(): this {
    this.server = Bun.serve<Attempt>({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req, server) => {
        const attempt: Attempt = { at: performance.now(), origin: req.headers.get("origin") };
        this.attempts.push(attempt);
        this.wake();
        return server.upgrade(req, { data: attempt }) ? undefined : new Response("WebSocket only", { status: 400 });
      },
      websocket: {
        open: (ws: ServerWebSocket<Attempt>) => {
          this.open++;
          this.maxOpen = Math.max(this.maxOpen, this.open);
          if (this.mode === "close") ws.close(1000, "bye");
        },
        message() {},
        close: (ws: ServerWebSocket<Attempt>) => {
          this.open--;
          ws.data.closedAt = performance.now();
          this.wake();
        },
      },
    });
    return this;
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `pred` holds (checked on every connection and close). */
  async until(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; attempts: ${this.attempts.length}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, Math.min(left, 100));
      });
    }
  }

  stop() {
    this.server?.stop(true);
  }
}
