/**
 * A real HTTP server standing in for Twilio's REST API: records call updates (transfer, hang up) and WhatsApp
 * sends (`Messages.json`, answered like Twilio or with an injected error), and serves inbound media the way Twilio
 * does — basic auth on the API host, then a redirect to a CDN host that must not receive the credentials.
 */
import type { Server } from "bun";

export interface SentMessage {
  form: Record<string, string>;
  auth: string | null;
  /** performance.now() when the request arrived. */
  at: number;
}

export class FakeTwilioRest {
  readonly updates: Array<{ callSid: string; form: Record<string, string>; auth: string | null }> = [];
  readonly messages: SentMessage[] = [];
  readonly mediaRequests: Array<{ path: string; auth: string | null }> = [];
  readonly cdnRequests: Array<{ path: string; auth: string | null }> = [];
  /** Inbound media by Twilio media path (`/2010-04-01/Accounts/AC…/Messages/MM…/Media/ME…`). */
  readonly media = new Map<string, { bytes: Uint8Array<ArrayBuffer>; mime: string }>();
  /** Overrides the answer to a send, e.g. `() => ({ status: 400, body: { code: 63016, message: "…" } })`. */
  messageReply?: (form: Record<string, string>) => { status: number; body: unknown } | undefined;
  /** While set, sends are answered only once it resolves (Twilio being slow). */
  holdMessages?: Promise<void>;
  /** While set, the CDN answers media only once it resolves (a slow download); a function picks by media path. */
  holdMedia?: Promise<void> | ((path: string) => Promise<void> | undefined);
  /** Overrides the answer to a call update (transfer, hang-up), e.g. Twilio's 400 for a call it cannot redirect. */
  callReply?: (form: Record<string, string>) => { status: number; body: unknown } | undefined;
  /** While set, call updates are answered only once it resolves (Twilio not answering). */
  holdCalls?: Promise<void>;
  private server?: Server<unknown>;
  private cdn?: Server<unknown>;
  private waiters: Array<() => void> = [];
  private sids = 0;

  reset(): void {
    this.updates.length = 0;
    this.messages.length = 0;
    this.messageReply = undefined;
    this.holdMessages = undefined;
    this.holdMedia = undefined;
    this.callReply = undefined;
    this.holdCalls = undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.server!.port}`;
  }

  start(): this {
    this.cdn = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (req) => {
        const path = new URL(req.url).pathname;
        this.cdnRequests.push({ path, auth: req.headers.get("authorization") });
        const hold = typeof this.holdMedia === "function" ? this.holdMedia(path.replace(/^\/cdn/, "")) : this.holdMedia;
        if (hold) await hold;
        const file = this.media.get(path.replace(/^\/cdn/, ""));
        return file ? new Response(file.bytes, { headers: { "content-type": file.mime } }) : new Response("gone", { status: 404 });
      },
    });
    this.server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (req) => {
        const path = new URL(req.url).pathname;
        const call = path.match(/^\/2010-04-01\/Accounts\/(\w+)\/Calls\/(\w+)\.json$/);
        if (call && req.method === "POST") {
          const form = Object.fromEntries(new URLSearchParams(await req.text()));
          this.updates.push({ callSid: call[2]!, form, auth: req.headers.get("authorization") });
          this.wake();
          if (this.holdCalls) await this.holdCalls;
          const custom = this.callReply?.(form);
          if (custom) return Response.json(custom.body, { status: custom.status });
          return Response.json({ sid: call[2], status: form.Status ?? "in-progress" });
        }
        if (/^\/2010-04-01\/Accounts\/\w+\/Messages\.json$/.test(path) && req.method === "POST") {
          const form = Object.fromEntries(new URLSearchParams(await req.text()));
          this.messages.push({ form, auth: req.headers.get("authorization"), at: performance.now() });
          this.wake();
          if (this.holdMessages) await this.holdMessages;
          const custom = this.messageReply?.(form);
          if (custom) return Response.json(custom.body, { status: custom.status });
          const sid = `SM${(++this.sids).toString(16).padStart(32, "0")}`;
          return Response.json({ sid, status: "queued", to: form.To, from: form.From, body: form.Body ?? null, error_code: null, error_message: null }, { status: 201 });
        }
        if (this.media.has(path) && req.method === "GET") {
          this.mediaRequests.push({ path, auth: req.headers.get("authorization") });
          if (!req.headers.get("authorization")) return new Response("auth required", { status: 401 });
          return new Response(null, { status: 307, headers: { location: `http://127.0.0.1:${this.cdn!.port}/cdn${path}` } });
        }
        return new Response("not found", { status: 404 });
      },
    });
    return this;
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
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

  /** Resolves when a WhatsApp send matching `pred` has arrived. */
  async waitForMessage(pred: (m: SentMessage) => boolean = () => true, timeoutMs = 10_000): Promise<SentMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no matching WhatsApp send; got ${JSON.stringify(this.messages.map((m) => m.form))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  stop() {
    this.server?.stop(true);
    this.cdn?.stop(true);
  }
}
