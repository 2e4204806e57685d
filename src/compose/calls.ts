/**
 * Wires phone calls: the CallEnv every CallSession shares (providers, dialog, CRM-backed tools and records), the
 * media-connection dependencies, the greeting cache warm-up, and the live-call registry a graceful stop drains.
 * The CRM is reached only through CallObserver/ToolHost here, and every CRM write is guarded: a database hiccup
 * is logged, never allowed to break a live call.
 */
import { streamToken, verifyStreamToken } from "../auth/stream-token.ts";
import type { CallObserver } from "../call/observer.ts";
import { CallSession, type CallEnv } from "../call/session.ts";
import type { Config } from "../config.ts";
import { businessSettingsSchema, type BusinessSettings } from "../crm/settings.ts";
import { Conversation } from "../dialog/conversation.ts";
import { linesFor } from "../dialog/lines.ts";
import { systemPrompt } from "../dialog/prompt.ts";
import type { ToolHost } from "../dialog/tools.ts";
import type { Services } from "../http/env.ts";
import { EV, log } from "../log.ts";
import type { Readiness } from "../readiness.ts";
import type { MediaConnectionDeps } from "../transports/twilio/media-connection.ts";
import { TwilioRest } from "../transports/twilio/rest.ts";
import type { Providers } from "./providers.ts";

const DEFAULT_SETTINGS: BusinessSettings = businessSettingsSchema.parse({});

/** Runs a CRM write; a failure is logged and swallowed so the call goes on. */
function guarded<T>(what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    log.error(EV.CRM_WRITE_FAILED, { what, err });
    return undefined;
  }
}

export interface LiveCall {
  session: CallSession;
  close(reason: string): void;
}

export interface Calls {
  mediaDeps: (pingIntervalMs: number) => MediaConnectionDeps;
  streamToken: (callSid: string) => string;
  live: Map<string, LiveCall>;
  /** Synthesizes the fixed lines of the current settings into the cache (greeting first). */
  warmPrompts(): Promise<void>;
  /** Lets live calls finish their current reply (≤ graceMs), then ends them. */
  drain(graceMs: number): Promise<void>;
}

export function buildCalls(config: Readonly<Config>, secret: string, providers: Providers, services: () => Services | undefined, readiness: Readiness): Calls {
  const rest = new TwilioRest({ apiUrl: config.twilio.apiUrl, accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, transferNumber: config.transferNumber });
  const settings = () => guarded("settings", () => services()?.settings.business()) ?? DEFAULT_SETTINGS;
  const language = () => settings().language ?? config.agentLanguage;
  const crm = (what: string, fn: (s: Services) => void) => guarded(what, () => {
    const s = services();
    if (s) fn(s);
  });

  const observer: CallObserver = {
    started: (sid, info) => crm("call.started", (s) => s.calls.started(sid, info)),
    turn: (sid, turn) => crm("call.turn", (s) => s.calls.turn(sid, turn)),
    event: (sid, event, value, data) => crm("call.event", (s) => s.calls.event(sid, event, value, data)),
    recording: (sid, path) => crm("call.recording", (s) => s.calls.recording(sid, path)),
    modeChanged: (sid, mode) => crm("call.mode", (s) => s.calls.modeChanged(sid, mode)),
    ended: (sid, info) => {
      crm("call.ended", (s) => s.calls.ended(sid, info));
      log.info(EV.CALL_SAVED, { callSid: sid, outcome: info.outcome });
    },
  };

  const toolHost = (callSid: string): ToolHost => ({
    canTransfer: rest.canTransfer,
    saveLead: (lead) =>
      crm("lead", (s) => {
        s.contacts.saveLead(s.calls.contactIdOf(callSid), lead);
        s.calls.setOutcome(callSid, "lead_saved");
        log.info(EV.LEAD_SAVED, { callSid, fields: Object.keys(lead).filter((k) => lead[k as keyof typeof lead]) });
      }),
    scheduleCallback: ({ when, notes }) =>
      crm("callback", (s) => {
        const contactId = s.calls.contactIdOf(callSid);
        const contact = s.contacts.byId(contactId);
        s.tasks.scheduleCallback({ contactId, callId: s.calls.bySid(callSid)?.id, dueText: when, notes, title: `Call back ${contact?.name ?? contact?.phone ?? ""}`.trim() });
        s.calls.setOutcome(callSid, "callback_scheduled");
        log.info(EV.TASK_CALLBACK_SCHEDULED, { callSid, when });
      }),
  });

  const llmReady = readiness.snapshot().details?.llm;
  const env: CallEnv = {
    eouSilenceMs: config.eouSilenceMs,
    bargeInMs: config.bargeInMs,
    sttLanguage: config.sttLanguage,
    recordingsDir: `${config.dataDir}/recordings`,
    stt: providers.stt,
    replyTts: providers.replyTts,
    promptTts: providers.promptTts,
    get lines() {
      return linesFor(language());
    },
    phraseHints: () => settings().phraseHints,
    businessName: () => settings().name,
    conversation: (_callSid, host) => {
      const b = settings();
      return new Conversation({
        lines: linesFor(language()),
        host,
        businessName: b.name,
        greeting: b.greeting,
        llm: providers.llm,
        systemPrompt: providers.llm ? systemPrompt(b, language()) : undefined,
        onLlmError: (e) => {
          readiness.set("llm", "err", `${e.kind}: ${e.message}`);
          log.warn(EV.LLM_FAILED, { kind: e.kind, message: e.message });
        },
        onLlmOk: () => readiness.get("llm") !== "ok" && readiness.set("llm", "ok", llmReady),
      });
    },
    toolHost,
    observer,
    telephony: rest,
    log,
    onSttError: (e) => readiness.set("stt", "err", `${e.kind}: ${e.message}`),
    onSttOk: () => readiness.get("stt") !== "ok" && readiness.set("stt", "ok"),
  };

  const live = new Map<string, LiveCall>();
  const mediaDeps = (pingIntervalMs: number): MediaConnectionDeps => ({
    log,
    pingIntervalMs,
    verifyToken: (callSid, token) => verifyStreamToken(secret, callSid, token),
    createCall: (start, sink) => {
      const session = new CallSession(env, start, sink);
      live.set(start.callSid, { session, close: (r) => sink.close(r) });
      return session;
    },
    onCallEnded: (call) => {
      for (const [sid, entry] of live) if (entry.session === call) live.delete(sid);
    },
  });

  return {
    mediaDeps,
    streamToken: (callSid) => streamToken(secret, callSid),
    live,
    async warmPrompts() {
      const b = settings();
      const l = linesFor(language());
      const fixed = [b.greeting || l.greeting(b.name), l.voicemailGreeting(b.name), l.voicemailThanks, l.sttDown];
      for (const text of fixed) await providers.promptTts.synthesize(text).catch((err) => log.warn(EV.TTS_WARM_FAILED, { err: String(err) }));
    },
    async drain(graceMs) {
      const deadline = Bun.sleep(graceMs);
      await Promise.all(
        [...live.values()].map(async (entry) => {
          await Promise.race([entry.session.idle(), deadline]);
          entry.session.end("server_shutdown");
          entry.close("server shutting down");
        }),
      );
    },
  };
}
