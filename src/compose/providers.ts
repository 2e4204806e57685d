/**
 * Builds the speech and language providers from the configuration, each behind its health breaker (which keeps
 * /readyz told), and hands calls the voices of their business settings. Nothing heavy happens here: clients load
 * on first use or in `warm()`, which runs after the server listens.
 */
import { realClock, type Clock } from "../clock.ts";
import type { AgentLanguage, Config } from "../config.ts";
import { EV, log as defaultLog, type Logger } from "../log.ts";
import { CachedTts } from "../providers/cached-tts.ts";
import { googleClientOptions, googleConfigured } from "../providers/google/client-options.ts";
import { GoogleStt } from "../providers/google/stt.ts";
import { GoogleTts } from "../providers/google/tts.ts";
import { GuardedLlm, GuardedStt, GuardedTts } from "../providers/guarded.ts";
import { ProviderHealth, type HealthStatus } from "../providers/health.ts";
import type { LlmProvider } from "../providers/llm.ts";
import { EspeakTts, espeakVoice } from "../providers/offline/espeak.ts";
import { OpenAiLlm } from "../providers/openai/llm.ts";
import type { SttProvider } from "../providers/stt.ts";
import type { TtsProvider } from "../providers/tts.ts";
import type { Readiness } from "../readiness.ts";

/** The model gets this long for its first token before the turn is answered from the script (ms). */
export const FIRST_TOKEN_MS = 4000;

/** The three voices a call speaks with. */
export interface Voices {
  /** Replies: Google in the call's voice, espeak-ng when Google fails. */
  reply: TtsProvider;
  /** Fixed lines (greeting, prompts): the same, cached in memory and DATA_DIR. */
  prompt: TtsProvider;
  /** Never waits on the network: espeak-ng (cached) for the lines that must be heard now (watchdog, greeting). */
  rescue: TtsProvider;
}

export interface Providers {
  stt?: SttProvider;
  llm?: LlmProvider;
  /** A call's voices: Google's `voice` (unset → TTS_VOICE), espeak-ng in `language` as the fallback. */
  voices(voice: string | undefined, language: AgentLanguage): Voices;
  warm(): Promise<void>;
}

/** A TTS that can speak in another voice of the same service. */
export interface VoiceTts extends TtsProvider {
  withVoice(voice: string): TtsProvider;
}

/** The vendor providers before health and caching are put around them (scripted ones in the call harness). */
export interface ProviderParts {
  stt?: SttProvider;
  /** Google TTS (any voice); undefined → espeak-ng speaks everything. */
  tts?: VoiceTts;
  /** espeak-ng (any espeak voice). */
  offline: VoiceTts;
  llm?: LlmProvider;
  defaultVoice: string;
  /** Where fixed lines are cached on disk (none → memory only). */
  cacheDir?: string;
  firstTokenMs?: number;
  clock?: Clock;
  /** Readiness detail once the model answers. */
  llmDetail?: string;
  log?: Logger;
}

export type Report = (component: "stt" | "tts" | "llm", status: HealthStatus, reason?: string) => void;

const MAX_VOICES = 8;

/** Puts the health breakers and caches around the vendor providers. */
export function assembleProviders(parts: ProviderParts, report: Report): Providers {
  const clock = parts.clock ?? realClock;
  const log = parts.log ?? defaultLog;
  const now = () => clock.now();
  const sttHealth = new ProviderHealth({ component: "stt", report: (s, r) => report("stt", s, r), degraded: "calls go to voicemail", now });
  const ttsHealth = new ProviderHealth({
    component: "tts",
    report: (s, r) => report("tts", s, r),
    degraded: "calls use espeak-ng",
    onFailure: (e) => log.warn(EV.TTS_FALLBACK, { reason: e.message }),
    now,
  });
  const llmHealth = new ProviderHealth({
    component: "llm",
    report: (s, r) => report("llm", s, r),
    okDetail: parts.llmDetail,
    degraded: "turns are answered by the scripted dialog until it answers again",
    onFailure: (e) => log.warn(EV.LLM_FAILED, { kind: e.kind, message: e.message }),
    now,
  });
  const stt = parts.stt && new GuardedStt(parts.stt, sttHealth);
  const llm = parts.llm && new GuardedLlm(parts.llm, llmHealth, { firstTokenMs: parts.firstTokenMs ?? FIRST_TOKEN_MS, clock });

  const voices = new Map<string, Voices>();
  const voicesFor = (voice: string | undefined, language: AgentLanguage): Voices => {
    const googleVoice = voice ?? parts.defaultVoice;
    const offlineVoice = espeakVoice(language);
    const key = `${googleVoice}|${offlineVoice}`;
    const hit = voices.get(key);
    if (hit) return hit;
    const offline = parts.offline.withVoice(offlineVoice);
    const offlineCached = new CachedTts(offline, parts.cacheDir, offlineVoice);
    let made: Voices = { reply: offline, prompt: offlineCached, rescue: offlineCached };
    if (parts.tts) {
      const google = parts.tts.withVoice(googleVoice);
      made = {
        reply: new GuardedTts(google, offline, ttsHealth),
        // cached separately, so a fallback recording is never kept as Google's
        prompt: new GuardedTts(new CachedTts(google, parts.cacheDir, googleVoice), offlineCached, ttsHealth),
        rescue: offlineCached,
      };
    }
    if (voices.size >= MAX_VOICES) voices.delete(voices.keys().next().value!);
    voices.set(key, made);
    return made;
  };

  const warm = async () => {
    const started = clock.now();
    if (stt?.warm)
      await stt.warm().then(
        () => sttHealth.status === undefined && report("stt", "ok"),
        (err) => report("stt", "err", err instanceof Error ? err.message : String(err)),
      );
    if (parts.tts)
      await parts.tts.warm?.().then(
        () => ttsHealth.status === undefined && report("tts", "ok"),
        (err) => report("tts", "err", err instanceof Error ? err.message : String(err)),
      );
    await parts.offline.warm?.();
    log.info(EV.PROVIDERS_WARM, { ms: Math.round(clock.now() - started) });
  };
  return { stt, llm, voices: voicesFor, warm };
}

export function buildProviders(config: Readonly<Config>, readiness: Readiness): Providers {
  const conflict = config.google.kind === "conflict";
  const sttReady = googleConfigured(config.speechEmulatorHost, config.google) && !conflict;
  const ttsReady = googleConfigured(config.ttsEmulatorHost, config.google) && !conflict;

  const stt = sttReady
    ? new GoogleStt({
        clientOptions: () => googleClientOptions(config.speechEmulatorHost, config.google),
        restartAfterMs: config.sttStreamLimitMs * 0.83,
        hardLimitMs: config.sttStreamLimitMs,
      })
    : undefined;
  if (conflict) readiness.set("stt", "err", config.google.reason);
  else if (stt) readiness.set("stt", "pending", "starts on first use");
  else readiness.set("stt", "err", "not configured (GOOGLE_APPLICATION_CREDENTIALS, GCP_CREDENTIALS_JSON or SPEECH_EMULATOR_HOST): calls go to voicemail");
  readiness.mode = stt ? "conversation" : "voicemail";

  const tts = ttsReady ? GoogleTts.create(config.ttsVoice, () => googleClientOptions(config.ttsEmulatorHost, config.google)) : undefined;
  if (tts) readiness.set("tts", "pending", "starts on first use");
  else if (conflict) readiness.set("tts", "err", `${config.google.reason}; calls use espeak-ng meanwhile`);
  else readiness.set("tts", "ok", "offline espeak-ng (Google TTS not configured)");

  const llm = config.llm ? new OpenAiLlm(config.llm) : undefined;
  const llmDetail = config.llm ? `${config.llm.model} at ${config.llm.baseUrl ?? "OpenAI"}` : "scripted dialog (OPENAI_API_KEY/OPENAI_BASE_URL unset)";
  readiness.set("llm", "ok", llmDetail);

  return assembleProviders(
    {
      stt,
      tts,
      offline: new EspeakTts(espeakVoice(config.agentLanguage)),
      llm,
      defaultVoice: config.ttsVoice,
      cacheDir: `${config.dataDir}/tts-cache`,
      llmDetail,
    },
    (component, status, reason) => readiness.set(component, status, reason),
  );
}
