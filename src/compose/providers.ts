/**
 * Builds the speech and language providers from the configuration and keeps /readyz told about them. Nothing
 * heavy happens here: clients load on first use or in `warm()`, which runs after the server listens.
 */
import type { Config } from "../config.ts";
import { EV, log } from "../log.ts";
import { CachedTts } from "../providers/cached-tts.ts";
import { FallbackTts } from "../providers/fallback-tts.ts";
import { googleClientOptions, googleConfigured } from "../providers/google/client-options.ts";
import { GoogleStt } from "../providers/google/stt.ts";
import { GoogleTts } from "../providers/google/tts.ts";
import type { LlmProvider } from "../providers/llm.ts";
import { EspeakTts, espeakVoice } from "../providers/offline/espeak.ts";
import { OpenAiLlm } from "../providers/openai/llm.ts";
import type { SttProvider } from "../providers/stt.ts";
import type { TtsProvider } from "../providers/tts.ts";
import type { Readiness } from "../readiness.ts";

export interface Providers {
  stt?: SttProvider;
  replyTts: TtsProvider;
  promptTts: TtsProvider;
  llm?: LlmProvider;
  warm(): Promise<void>;
}

export function buildProviders(config: Readonly<Config>, readiness: Readiness): Providers {
  const sttReady = googleConfigured(config.speechEmulatorHost, config.google) && config.google.kind !== "conflict";
  const ttsReady = googleConfigured(config.ttsEmulatorHost, config.google) && config.google.kind !== "conflict";
  const cacheDir = `${config.dataDir}/tts-cache`;

  const stt = sttReady
    ? new GoogleStt({
        clientOptions: () => googleClientOptions(config.speechEmulatorHost, config.google),
        restartAfterMs: config.sttStreamLimitMs * 0.83,
        hardLimitMs: config.sttStreamLimitMs,
      })
    : undefined;
  if (config.google.kind === "conflict") readiness.set("stt", "err", config.google.reason);
  else if (stt) readiness.set("stt", "pending", "starts on first use");
  else readiness.set("stt", "err", "not configured (GOOGLE_APPLICATION_CREDENTIALS, GCP_CREDENTIALS_JSON or SPEECH_EMULATOR_HOST): calls go to voicemail");
  readiness.mode = stt ? "conversation" : "voicemail";

  const espeak = new EspeakTts(espeakVoice(config.agentLanguage));
  let replyTts: TtsProvider = espeak;
  let promptTts: TtsProvider = new CachedTts(espeak, cacheDir, espeakVoice(config.agentLanguage));
  if (ttsReady) {
    const google = new GoogleTts(config.ttsVoice, () => googleClientOptions(config.ttsEmulatorHost, config.google));
    const onFallback = (err: unknown) => {
      const reason = err instanceof Error ? err.message : String(err);
      readiness.set("tts", "err", `Google TTS failed (${reason}); calls use espeak-ng`);
      log.warn(EV.TTS_FALLBACK, { reason });
    };
    const onOk = () => readiness.get("tts") !== "ok" && readiness.set("tts", "ok");
    replyTts = new FallbackTts(google, espeak, onFallback, onOk);
    promptTts = new FallbackTts(new CachedTts(google, cacheDir, config.ttsVoice), promptTts, onFallback, onOk);
    readiness.set("tts", "pending", "starts on first use");
  } else if (config.google.kind === "conflict") {
    readiness.set("tts", "err", `${config.google.reason}; calls use espeak-ng meanwhile`);
  } else {
    readiness.set("tts", "ok", "offline espeak-ng (Google TTS not configured)");
  }

  const llm = config.llm ? new OpenAiLlm(config.llm) : undefined;
  if (llm) readiness.set("llm", "ok", `${config.llm!.model} at ${config.llm!.baseUrl ?? "OpenAI"}`);
  else readiness.set("llm", "ok", "scripted dialog (OPENAI_API_KEY/OPENAI_BASE_URL unset)");

  const warm = async () => {
    const started = performance.now();
    if (stt?.warm)
      await stt.warm().then(
        () => readiness.set("stt", "ok"),
        (err) => readiness.set("stt", "err", err instanceof Error ? err.message : String(err)),
      );
    if (ttsReady)
      await replyTts.warm?.().then(
        () => readiness.get("tts") === "pending" && readiness.set("tts", "ok"),
        (err) => readiness.set("tts", "err", err instanceof Error ? err.message : String(err)),
      );
    else await espeak.warm();
    log.info(EV.PROVIDERS_WARM, { ms: Math.round(performance.now() - started) });
  };
  return { stt, replyTts, promptTts, llm, warm };
}
