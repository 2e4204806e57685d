/**
 * The doctor's checks: a deployment probed from outside the way Twilio will use it. Each check says what it saw;
 * a failure says the likely cause and the fix. Order matters: the WebSocket checks use the TwiML's Stream url.
 */
import { rawHandshake } from "../sim/handshake.ts";
import { SimulatedCaller } from "../sim/caller.ts";
import type { StreamTwiml } from "../sim/twiml-read.ts";

export type Outcome = "pass" | "warn" | "fail";

export interface CheckResult {
  id: string;
  title: string;
  outcome: Outcome;
  ms: number;
  detail: string;
  cause?: string;
  fix?: string;
}

export interface DoctorContext {
  base: string;
  /** Deadline for the synthetic call's greeting (ms). */
  greetingTimeoutMs: number;
  caller: SimulatedCaller;
  twiml?: StreamTwiml;
}

type Verdict = Omit<CheckResult, "id" | "title" | "ms">;
const pass = (detail: string): Verdict => ({ outcome: "pass", detail });
const warn = (detail: string, cause?: string, fix?: string): Verdict => ({ outcome: "warn", detail, cause, fix });
const fail = (detail: string, cause: string, fix: string): Verdict => ({ outcome: "fail", detail, cause, fix });

export interface Check {
  id: string;
  title: string;
  run(ctx: DoctorContext): Promise<Verdict | Verdict[]>;
}

function unreachable(err: unknown, what: string): Verdict {
  const msg = err instanceof Error ? err.message : String(err);
  return fail(`${what}: ${msg}`, "nothing answers at this address (server down, wrong port, firewall or DNS)", "start agentlocator and check PORT/HOST, the proxy and the URL you passed");
}

async function get(ctx: DoctorContext, path: string) {
  return fetch(`${ctx.base}${path}`, { redirect: "manual", signal: AbortSignal.timeout(10_000) });
}

export const CHECKS: Check[] = [
  {
    id: "healthz",
    title: "GET /healthz answers 200 ok",
    async run(ctx) {
      try {
        const res = await get(ctx, "/healthz");
        const body = (await res.text()).trim();
        if (res.status === 200 && body === "ok") return pass("200 ok");
        return fail(`${res.status} ${JSON.stringify(body.slice(0, 60))}`, "this URL does not reach AgentLocator (another app or the proxy answers)", "point the URL (and your proxy) at agentlocator's PORT");
      } catch (err) {
        return unreachable(err, "GET /healthz");
      }
    },
  },
  {
    id: "version",
    title: "GET /version has a deployId",
    async run(ctx) {
      try {
        const res = await get(ctx, "/version");
        const v = (await res.json().catch(() => ({}))) as { deployId?: string; version?: string };
        if (res.status === 200 && v.deployId) return pass(`${v.deployId} (v${v.version ?? "?"})`);
        return fail(`${res.status}, no deployId`, "an old build or another app answers", "deploy the current agentlocator binary");
      } catch (err) {
        return unreachable(err, "GET /version");
      }
    },
  },
  {
    id: "readyz",
    title: "GET /readyz: every component",
    async run(ctx) {
      try {
        const res = await get(ctx, "/readyz");
        const r = (await res.json()) as Record<string, unknown> & { details?: Record<string, string>; mode?: string };
        const out: Verdict[] = [];
        for (const c of ["ws", "db", "stt", "tts", "llm", "whatsapp"]) {
          const status = String(r[c] ?? "missing");
          const why = r.details?.[c] ? ` — ${r.details[c]}` : "";
          if (status === "ok" || status === "pending") out.push(pass(`${c}: ${status}${why}`));
          else if (c === "stt" && r.mode === "voicemail") out.push(warn(`${c}: ${status}${why}`, "no speech recognition: calls go to voicemail", "set GOOGLE_APPLICATION_CREDENTIALS or GCP_CREDENTIALS_JSON"));
          else out.push(fail(`${c}: ${status}${why}`, `the ${c} component is not working`, c === "db" ? "check DATA_DIR (permissions, disk space)" : "see details and the server log"));
        }
        return out;
      } catch (err) {
        return unreachable(err, "GET /readyz");
      }
    },
  },
  {
    id: "app",
    title: "GET /app/admin/overview serves the admin app",
    async run(ctx) {
      try {
        const res = await get(ctx, "/app/admin/overview");
        const type = res.headers.get("content-type") ?? "";
        const body = await res.text();
        if (res.status === 200 && type.includes("text/html") && /<html/i.test(body)) return pass("200 text/html");
        return fail(`${res.status} ${type}`, "the admin app is not served (old build or a proxy rewriting /app)", "deploy the current binary; let the proxy pass /app/*");
      } catch (err) {
        return unreachable(err, "GET /app/admin/overview");
      }
    },
  },
  {
    id: "twiml",
    title: "POST /webhook/incoming_call answers <Connect><Stream> TwiML",
    async run(ctx) {
      try {
        ctx.twiml = await ctx.caller.dial();
        return pass(`200 text/xml (CallSid ${ctx.caller.callSid})`);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (msg.includes("answered 403"))
          return fail(msg.slice(0, 120), "the server checks X-Twilio-Signature and this request was not signed right", "pass --auth-token with TWILIO_AUTH_TOKEN; make PUBLIC_BASE_URL exactly the URL you gave the doctor");
        if (/answered \d+/.test(msg)) return fail(msg.slice(0, 120), "the voice webhook is missing or failing", "check the server log for the request");
        return unreachable(err, "POST /webhook/incoming_call");
      }
    },
  },
  {
    id: "twiml.stream_url",
    title: "<Stream url> is wss:// (ws:// for http), no query string, no // after the scheme",
    async run(ctx) {
      const url = ctx.twiml?.streamUrl;
      if (!url) return fail("no <Stream url>", "the TwiML has no <Connect><Stream>", "answer incoming calls with agentlocator's /webhook/incoming_call");
      const wantScheme = ctx.base.startsWith("https:") ? "wss:" : "ws:";
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return fail(url, "the Stream url is not a URL", "set PUBLIC_BASE_URL to https://your-host");
      }
      if (parsed.protocol !== wantScheme && !(wantScheme === "ws:" && parsed.protocol === "wss:"))
        return fail(url, `Twilio needs ${wantScheme}// for a ${new URL(ctx.base).protocol}// base`, "set PUBLIC_BASE_URL to the https URL Twilio reaches");
      if (url.slice(url.indexOf("://") + 3).includes("//"))
        return fail(url, "a double slash in the Stream url (PUBLIC_BASE_URL ends with / or a path was joined twice); Twilio fails the handshake (31920)", "remove the trailing slash from PUBLIC_BASE_URL");
      if (parsed.search) return fail(url, "Twilio does not allow a query string on the Stream url (values belong in <Parameter>)", "upgrade agentlocator; pass values as <Parameter>");
      return pass(url);
    },
  },
  {
    id: "twiml.connect_action",
    title: "<Connect action> and statusCallback point back at the server",
    async run(ctx) {
      const t = ctx.twiml;
      if (!t?.connectAction) return fail("no <Connect action>", "when the stream ends Twilio has nowhere to go, the call drops", "answer with agentlocator's TwiML");
      if (!t.statusCallback) return fail("no statusCallback", "stream errors are never reported", "answer with agentlocator's TwiML");
      const bad = [t.connectAction, t.statusCallback].find((u) => u.slice(u.indexOf("://") + 3).includes("//"));
      if (bad) return fail(bad, "a double slash in a callback URL", "remove the trailing slash from PUBLIC_BASE_URL");
      return pass(`${t.connectAction}, ${t.statusCallback}`);
    },
  },
  {
    id: "twiml.call_sid",
    title: '<Parameter name="call_sid"> echoes the CallSid',
    async run(ctx) {
      const got = ctx.twiml?.parameters.call_sid;
      if (got === ctx.caller.callSid) return pass(got);
      return fail(`got ${JSON.stringify(got)}`, "the stream will not know which call it carries", "answer with agentlocator's TwiML");
    },
  },
  ...["stream_status", "stream_ended"].map(
    (name): Check => ({
      id: name,
      title: `POST /webhook/${name} answers 204 with an empty body`,
      async run(ctx) {
        try {
          const res = await ctx.caller.webhook(`/webhook/${name}`, { CallSid: ctx.caller.callSid, AccountSid: "AC00000000000000000000000000000000", StreamSid: "MZdoctor", StreamEvent: "stream-started" });
          const body = await res.text();
          if (res.status === 204 && body === "") return pass("204");
          if (name === "stream_ended" && res.status === 200 && /<Response/.test(body)) return warn(`${res.status} TwiML`, "Twilio continues with this TwiML after the stream", "expected 204");
          return fail(`${res.status} ${JSON.stringify(body.slice(0, 60))}`, `Twilio expects 204 and no body from ${name}; anything else is logged as an error (and a body after <Connect> is run as TwiML)`, "upgrade agentlocator");
        } catch (err) {
          return unreachable(err, `POST /webhook/${name}`);
        }
      },
    }),
  ),
  {
    id: "websocket.subprotocol",
    title: "the media WebSocket answers 101 with Sec-WebSocket-Protocol: audio.twilio.com",
    async run(ctx) {
      const url = ctx.twiml?.streamUrl;
      if (!url) return fail("skipped: no Stream url", "needs the TwiML", "fix the TwiML checks first");
      try {
        const r = await rawHandshake(url, ["audio.twilio.com"]);
        if (r.status !== 101) return fail(`${r.status} ${r.statusText}`, "the upgrade is refused (a proxy without WebSocket support, or the wrong path); Twilio will fail with 31920", "let the proxy pass Upgrade/Connection headers to /ws/twilio-media");
        if (r.protocols.length === 1 && r.protocols[0] === "audio.twilio.com") return pass("101, audio.twilio.com");
        return fail(`101 with Sec-WebSocket-Protocol: ${JSON.stringify(r.protocols)}`, "the subprotocol is not echoed exactly once; Twilio will fail with 31920", "upgrade agentlocator (it echoes audio.twilio.com when offered)");
      } catch (err) {
        return fail(`handshake: ${err instanceof Error ? err.message : String(err)}`, "the WebSocket endpoint is unreachable; Twilio will fail with 31920", "check that the Stream url's host reaches this server");
      }
    },
  },
  {
    id: "call.greeting",
    title: "a synthetic call gets greeting audio within 3 s",
    async run(ctx) {
      const caller = ctx.caller;
      if (!ctx.twiml?.streamUrl) return fail("skipped: no Stream url", "needs the TwiML", "fix the TwiML checks first");
      try {
        await caller.connect();
      } catch (err) {
        return fail(String(err), "the media WebSocket refused the call", "see the websocket check");
      }
      try {
        await caller.waitUntil(() => caller.frames.length > 0 || caller.closeCode !== undefined, ctx.greetingTimeoutMs, "greeting audio");
      } catch {
        return fail(`no audio within ${ctx.greetingTimeoutMs} ms`, "the socket is accepted but no audio comes back: TTS failing, or the call handler is stuck", "look for WS_START and TTS_LEN_ms in the server log; check /readyz tts");
      }
      if (caller.closeCode !== undefined && !caller.frames.length)
        return fail(`closed ${caller.closeCode} ${caller.closeReason ?? ""}`, caller.closeCode === 1008 ? "the stream token was rejected (another server or JWT_SECRET issued the TwiML)" : "the server closed the call (Twilio reports 31921)", "see the server log (ws.rejected)");
      return pass(`first frame after ${Math.round(caller.frames[0]!.at - caller.startedAt)} ms`);
    },
  },
  {
    id: "call.frames",
    title: "audio comes as 160-byte μ-law frames with the stream's streamSid, as text messages",
    async run(ctx) {
      const c = ctx.caller;
      if (!c.frames.length) return fail("no frames", "no audio arrived", "see call.greeting");
      await c.waitUntil(() => c.frames.length >= 25, 2000, "frames").catch(() => {});
      const wrongSize = c.frames.filter((f) => f.bytes !== 160).length;
      const wrongSid = c.frames.filter((f) => f.streamSid !== c.streamSid).length;
      if (c.badMessages.length) return fail(c.badMessages.slice(0, 3).join("; "), "the server sent messages Twilio rejects (31951/31924; binary frames: 31950)", "upgrade agentlocator");
      if (wrongSize) return fail(`${wrongSize} of ${c.frames.length} frames not 160 bytes`, "wrong frame size: choppy or silent audio", "send 20 ms (160-byte) μ-law frames");
      if (wrongSid) return fail(`${wrongSid} frames with another streamSid`, "Twilio drops audio for an unknown streamSid", "echo the start message's streamSid");
      return pass(`${c.frames.length} frames, 160 bytes, streamSid ok`);
    },
  },
  {
    id: "call.marks",
    title: "the server sends marks and they are echoed back",
    async run(ctx) {
      const c = ctx.caller;
      if (!c.frames.length) return fail("skipped: no audio", "no audio arrived", "see call.greeting");
      try {
        await c.waitUntil(() => c.marksEchoed.length > 0, 15_000, "a mark");
      } catch {
        return fail(c.frames.length ? "audio but no mark" : "no audio", "without marks the agent cannot know what the caller heard (barge-in, turn-taking)", "upgrade agentlocator");
      }
      return pass(`${c.marksReceived.length} received, ${c.marksEchoed.length} echoed`);
    },
  },
];
