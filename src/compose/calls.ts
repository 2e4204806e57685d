/**
 * Wires phone calls: the CallEnv of each call (read when the call starts, so a change of the business settings —
 * voice, end-of-utterance silence, transfer number, greeting — takes effect on the next call), the CRM behind the
 * CallObserver and ToolHost seams, the media-connection dependencies, the greeting cache warm-up, and the live-call
 * registry a graceful stop drains. The call engine logs and survives any failure of the CRM it is given.
 */
import { streamToken, verifyStreamToken } from "../auth/stream-token.ts";
import type { CallStart, CallEnv, Telephony } from "../call/env.ts";
import type { CallObserver } from "../call/observer.ts";
import { CallRecorder } from "../call/recorder.ts";
import { CallSession } from "../call/session.ts";
import { realClock, type Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import { businessSettingsSchema, type BusinessSettings } from "../crm/settings.ts";
import { Conversation } from "../dialog/conversation.ts";
import { linesFor } from "../dialog/lines.ts";
import { systemPrompt } from "../dialog/prompt.ts";
import type { ToolHost } from "../dialog/tools.ts";
import type { Services } from "../http/env.ts";
import { EV, log } from "../log.ts";
import type { MediaConnectionDeps } from "../transports/twilio/media-connection.ts";
import { TwilioRest } from "../transports/twilio/rest.ts";
import { FIRST_TOKEN_MS, type Providers } from "./providers.ts";

const DEFAULT_SETTINGS: BusinessSettings = businessSettingsSchema.parse({});
/** After end of utterance, agent audio must start within the model's first-token deadline + this (ms). */
const ANSWER_GRACE_MS = 3000;
/** The greeting (cached) normally starts within milliseconds; after this the offline voice says it (ms). */
const GREETING_WITHIN_MS = 1500;

export interface LiveCall {
  session: CallSession;
  close(reason: string): void;
}

export interface Calls {
  mediaDeps: (pingIntervalMs: number) => MediaConnectionDeps;
  streamToken: (callSid: string) => string;
  live: Map<string, LiveCall>;
  /** The environment of a call starting now: the business settings as they are now. */
  envFor(start: CallStart): CallEnv;
  /** Synthesizes the fixed lines of the current settings into the caches (greeting first). */
  warmPrompts(): Promise<void>;
  /** Lets live calls finish their current reply (≤ graceMs), then ends them. */
  drain(graceMs: number): Promise<void>;
}

export interface CallsOptions {
  /** The calls' clock (a virtual one in the call harness). */
  clock?: Clock;
}

export function buildCalls(config: Readonly<Config>, secret: string, providers: Providers, services: () => Services | undefined, o: CallsOptions = {}): Calls {
  const clock = o.clock ?? realClock;
  const settings = (): BusinessSettings => {
    try {
      return services()?.settings.business() ?? DEFAULT_SETTINGS;
    } catch (err) {
      log.error(EV.CRM_WRITE_FAILED, { what: "settings", err });
      return DEFAULT_SETTINGS;
    }
  };
  const db = (): Services => {
    const s = services();
    if (!s) throw new Error("the database is not available");
    return s;
  };

  // a failure here reaches the call's guard, which logs it and carries on
  const observer: CallObserver = {
    started: (sid, info) => services()?.calls.started(sid, info),
    turn: (sid, turn) => services()?.calls.turn(sid, turn),
    event: (sid, event, value, data) => services()?.calls.event(sid, event, value, data),
    recording: (sid, path) => services()?.calls.recording(sid, path),
    modeChanged: (sid, mode) => services()?.calls.modeChanged(sid, mode),
    ended: (sid, info) => {
      log.info(EV.CALL_SAVED, { callSid: sid, outcome: info.outcome });
      services()?.calls.ended(sid, info);
    },
  };

  const crmHost = (callSid: string, canTransfer: boolean): ToolHost => ({
    canTransfer,
    saveLead: (lead) => {
      const s = db();
      s.contacts.saveLead(s.calls.contactIdOf(callSid), lead);
      s.calls.setOutcome(callSid, "lead_saved");
      log.info(EV.LEAD_SAVED, { callSid, fields: Object.keys(lead).filter((k) => lead[k as keyof typeof lead]) });
    },
    scheduleCallback: ({ when, notes }) => {
      const s = db();
      const contactId = s.calls.contactIdOf(callSid);
      const contact = s.contacts.byId(contactId);
      s.tasks.scheduleCallback({ contactId, callId: s.calls.bySid(callSid)?.id, dueText: when, notes, title: `Call back ${contact?.name ?? contact?.phone ?? ""}`.trim() });
      s.calls.setOutcome(callSid, "callback_scheduled");
      log.info(EV.TASK_CALLBACK_SCHEDULED, { callSid, when });
    },
  });

  const telephonyFor = (transferNumber: string | undefined): Telephony => {
    const rest = new TwilioRest({ apiUrl: config.twilio.apiUrl, accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, transferNumber });
    return { canTransfer: rest.canTransfer, transfer: (sid) => rest.transfer(sid), hangup: (sid) => rest.hangup(sid) };
  };

  const envFor = (start: CallStart): CallEnv => {
    const b = settings();
    const language = b.language ?? config.agentLanguage;
    const lines = linesFor(language);
    const telephony = telephonyFor(b.transferNumber ?? config.transferNumber);
    return {
      timing: {
        eouSilenceMs: b.eouSilenceMs ?? config.eouSilenceMs,
        bargeInMs: config.bargeInMs,
        firstTokenMs: FIRST_TOKEN_MS,
        answerGraceMs: ANSWER_GRACE_MS,
        greetingWithinMs: GREETING_WITHIN_MS,
      },
      providers: { stt: providers.stt, sttLanguage: config.sttLanguage, phraseHints: b.phraseHints, voices: providers.voices(b.ttsVoice, language) },
      dialog: {
        lines,
        businessName: b.name,
        host: crmHost(start.callSid, telephony.canTransfer),
        conversation: (host) =>
          new Conversation({
            lines,
            host,
            businessName: b.name,
            greeting: b.greeting,
            llm: providers.llm,
            systemPrompt: providers.llm ? systemPrompt(b, language) : undefined,
          }),
      },
      observer,
      telephony,
      recording: () => new CallRecorder(`${config.dataDir}/recordings`, start.callSid),
      clock,
      log,
    };
  };

  const live = new Map<string, LiveCall>();
  const mediaDeps = (pingIntervalMs: number): MediaConnectionDeps => ({
    log,
    pingIntervalMs,
    verifyToken: (callSid, token) => verifyStreamToken(secret, callSid, token),
    createCall: (start, sink) => {
      const session = new CallSession(envFor(start), start, sink);
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
    envFor,
    async warmPrompts() {
      const b = settings();
      const language = b.language ?? config.agentLanguage;
      const l = linesFor(language);
      const voices = providers.voices(b.ttsVoice, language);
      const greeting = b.greeting || l.greeting(b.name);
      const warm = (tts: typeof voices.prompt, text: string) => tts.synthesize(text).catch((err) => log.warn(EV.TTS_WARM_FAILED, { err: String(err) }));
      for (const text of [greeting, l.voicemailGreeting(b.name), l.voicemailThanks, l.sttDown]) await warm(voices.prompt, text);
      // what the watchdog may have to say without waiting on the network
      for (const text of [greeting, l.holding, l.notAnswered]) await warm(voices.rescue, text);
      log.info(EV.TTS_PROMPTS_WARM, { voice: b.ttsVoice ?? config.ttsVoice, language });
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
