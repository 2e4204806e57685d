/** A real HTTP server standing in for Twilio's REST API: records call updates (transfer, hang up). */
import type { Server } from "bun";

export class FakeTwilioRest {
  readonly updates: Array<{ callSid: string; form: Record<string, string>; auth: string | null }> = [];
  private server?: Server<unknown>;
  private waiters: Array<() => void> = [];

  reset(): void {
    this.updates.length = 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.server!.port}`;
  }

  start(): this {
    this.server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (req) => {
        const m = new URL(req.url).pathname.match(/^\/2010-04-01\/Accounts\/(\w+)\/Calls\/(\w+)\.json$/);
        if (!m || req.method !== "POST") return new Response("not found", { status: 404 });
        const form = Object.fromEntries(new URLSearchParams(await req.text()));
        this.updates.push({ callSid: m[2]!, form, auth: req.headers.get("authorization") });
        for (const w of this.waiters.splice(0)) w();
        return Response.json({ sid: m[2], status: form.Status ?? "in-progress" });
      },
    });
    return this;
  }

  /** Resolves when an update matching `pred` has arrived. */
  async waitFor(pred: (u: FakeTwilioRest["updates"][number]) => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.updates.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching Twilio REST update; got ${JSON.stringify(this.updates)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  stop() {
    this.server?.stop(true);
  }
}
