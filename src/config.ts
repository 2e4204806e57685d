/**
 * The environment, parsed and validated once into a frozen Config. Imports nothing from src/ so every other
 * module can depend on it. A bad value throws ConfigError whose message is one line naming the variable and what
 * is allowed, e.g. `PORT must be an integer 0–65535 (got "abc")`.
 */
import { z } from "zod";

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

export type GoogleCredentials =
  | { kind: "none" }
  | { kind: "file"; path: string }
  | { kind: "json"; clientEmail: string; privateKey: string; projectId?: string }
  /** Both variables set: not fatal, the server runs and /readyz reports stt/tts as err with this reason. */
  | { kind: "conflict"; reason: string };

export type AgentLanguage = "he-IL" | "en-US";

export interface Config {
  port: number;
  host: string;
  /** No trailing slash. Undefined → derived per request from X-Forwarded-Proto/Host. */
  publicBaseUrl?: string;
  dataDir: string;
  /** Absolute or relative path of the SQLite file. */
  databasePath: string;
  jwtSecret?: string;
  admin?: { email: string; password: string };
  deployId?: string;
  google: GoogleCredentials;
  speechEmulatorHost?: string;
  ttsEmulatorHost?: string;
  sttLanguage: string;
  ttsVoice: string;
  agentLanguage: AgentLanguage;
  llm?: { apiKey?: string; baseUrl?: string; model: string };
  eouSilenceMs: number;
  bargeInMs: number;
  transferNumber?: string;
  wsPingIntervalMs: number;
  /** A media socket that sends no valid `start` within this many ms is closed (1008). */
  wsStartTimeoutMs: number;
  /** A started media stream that sends no `media` for this many ms ends its call as `connection_lost`. */
  wsMediaTimeoutMs: number;
  /** How many reverse proxies in front append X-Forwarded-*; 0 ignores those headers for addresses and https. */
  trustProxyHops: number;
  /** Age (ms) at which a recognizer stream is replaced, below Google's 305 s limit. */
  sttStreamLimitMs: number;
  twilio: { accountSid?: string; authToken?: string; apiUrl: string; whatsappFrom?: string };
  whatsappEnabled: boolean;
  /** The WebSocket Baileys connects to; undefined = WhatsApp's own (a local stand-in in tests). */
  whatsappWsUrl?: string;
  paypal?: { clientId: string; clientSecret: string; webhookId?: string; apiUrl: string };
  tranzila?: { terminal: string; appKey: string; secret: string; apiUrl: string };
  logFormat: "json" | "pretty";
  logLevel: "debug" | "info" | "warn" | "error";
}

type Env = Record<string, string | undefined>;

/** Reads one variable through a zod schema; empty strings count as unset (Replit secrets are often ""). */
function read<T>(env: Env, name: string, schema: z.ZodType<T>, allowed: string): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return undefined;
  const result = schema.safeParse(raw.trim());
  if (!result.success) {
    const shown = /SECRET|TOKEN|PASSWORD|KEY|CREDENTIALS/.test(name) ? "<hidden>" : JSON.stringify(raw);
    throw new ConfigError(name, `${name} must be ${allowed} (got ${shown})`);
  }
  return result.data;
}

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const hostPort = z.string().regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/);
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u))
  .transform((u) => u.replace(/\/+$/, ""));
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/);
const bool = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => ["true", "1", "yes"].includes(v));

const gcpJson = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not JSON" });
      return z.NEVER;
    }
  })
  .pipe(z.object({ client_email: z.string().min(3), private_key: z.string().min(10), project_id: z.string().optional() }));

const publicBase = httpUrl.refine((u) => {
  const parsed = new URL(u);
  return parsed.search === "" && parsed.hash === "";
});

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const dataDir = read(env, "DATA_DIR", z.string().min(1), "a folder path") ?? "./data";

  const databaseUrl = read(env, "DATABASE_URL", z.string().min(1), "sqlite:PATH or a file path");
  let databasePath = `${dataDir}/agentlocator.db`;
  if (databaseUrl) {
    if (/^postgres(ql)?:\/\//i.test(databaseUrl))
      throw new ConfigError("DATABASE_URL", "DATABASE_URL must be sqlite:PATH or a file path (postgres:// is not supported by this build)");
    databasePath = databaseUrl.replace(/^sqlite:(\/\/)?/i, "");
  }

  const adminEmail = read(env, "ADMIN_EMAIL", z.string().email(), "an email address");
  const adminPassword = read(env, "ADMIN_PASSWORD", z.string().min(8), "at least 8 characters");
  if (adminEmail && !adminPassword) throw new ConfigError("ADMIN_PASSWORD", "ADMIN_PASSWORD must be set when ADMIN_EMAIL is set");
  if (adminPassword && !adminEmail) throw new ConfigError("ADMIN_EMAIL", "ADMIN_EMAIL must be set when ADMIN_PASSWORD is set");

  const credFile = read(env, "GOOGLE_APPLICATION_CREDENTIALS", z.string().min(1), "a path to a service-account JSON file");
  const credJson = read(env, "GCP_CREDENTIALS_JSON", gcpJson, "a service-account JSON object with client_email and private_key");
  let google: GoogleCredentials = { kind: "none" };
  if (credFile && credJson)
    google = { kind: "conflict", reason: "both GOOGLE_APPLICATION_CREDENTIALS and GCP_CREDENTIALS_JSON are set; keep exactly one" };
  else if (credFile) google = { kind: "file", path: credFile };
  else if (credJson)
    google = { kind: "json", clientEmail: credJson.client_email, privateKey: credJson.private_key, projectId: credJson.project_id };

  const apiKey = read(env, "OPENAI_API_KEY", z.string().min(1), "an API key");
  const baseUrl = read(env, "OPENAI_BASE_URL", httpUrl, "an http(s) URL");
  const model = read(env, "LLM_MODEL", z.string().min(1), "a model name") ?? "gpt-4o-mini";

  const paypalId = read(env, "PAYPAL_CLIENT_ID", z.string().min(1), "a client id");
  const paypalSecret = read(env, "PAYPAL_CLIENT_SECRET", z.string().min(1), "a client secret");
  const tzTerminal = read(env, "TRANZILA_TERMINAL", z.string().min(1), "a terminal name");
  const tzAppKey = read(env, "TRANZILA_APP_KEY", z.string().min(1), "an app key");
  const tzSecret = read(env, "TRANZILA_SECRET", z.string().min(1), "a secret");

  const config: Config = {
    port: read(env, "PORT", intIn(0, 65535), "an integer 0–65535") ?? 3000,
    host: read(env, "HOST", z.string().min(1), "a host name or IP address") ?? "0.0.0.0",
    publicBaseUrl: read(env, "PUBLIC_BASE_URL", publicBase, "an http(s) URL without query string, e.g. https://example.com"),
    dataDir,
    databasePath,
    jwtSecret: read(env, "JWT_SECRET", z.string().min(16), "at least 16 characters"),
    admin: adminEmail && adminPassword ? { email: adminEmail.toLowerCase(), password: adminPassword } : undefined,
    deployId: read(env, "DEPLOY_ID", z.string().min(1), "a non-empty string"),
    google,
    speechEmulatorHost: read(env, "SPEECH_EMULATOR_HOST", hostPort, "host:port"),
    ttsEmulatorHost: read(env, "TTS_EMULATOR_HOST", hostPort, "host:port"),
    sttLanguage: read(env, "STT_LANGUAGE", z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/), "a language code such as iw-IL") ?? "iw-IL",
    ttsVoice: read(env, "TTS_VOICE", z.string().regex(/^[a-z]{2,3}-[A-Z]{2}-[\w-]+$/), "a Google voice name such as he-IL-Wavenet-A") ?? "he-IL-Wavenet-A",
    agentLanguage: read(env, "AGENT_LANGUAGE", z.enum(["he-IL", "en-US"]), "he-IL or en-US") ?? "he-IL",
    llm: apiKey || baseUrl ? { apiKey, baseUrl, model } : undefined,
    eouSilenceMs: read(env, "EOU_SILENCE_MS", intIn(300, 600), "an integer 300–600 (milliseconds)") ?? 500,
    bargeInMs: read(env, "BARGE_IN_MS", intIn(60, 2000), "an integer 60–2000 (milliseconds)") ?? 200,
    transferNumber: read(env, "TRANSFER_NUMBER", e164, "an E.164 number such as +972501234567"),
    wsPingIntervalMs: read(env, "WS_PING_INTERVAL_MS", intIn(100, 60000), "an integer 100–60000 (milliseconds; 5000–15000 in production)") ?? 10000,
    wsStartTimeoutMs: read(env, "WS_START_TIMEOUT_MS", intIn(100, 60_000), "an integer 100–60000 (milliseconds)") ?? 10_000,
    wsMediaTimeoutMs: read(env, "WS_MEDIA_TIMEOUT_MS", intIn(100, 120_000), "an integer 100–120000 (milliseconds)") ?? 15_000,
    trustProxyHops: read(env, "TRUST_PROXY_HOPS", intIn(0, 10), "an integer 0–10 (the number of proxies in front; 1 on Replit)") ?? 0,
    sttStreamLimitMs: read(env, "STT_STREAM_LIMIT_MS", intIn(1000, 300_000), "an integer 1000–300000 (milliseconds)") ?? 290_000,
    twilio: {
      accountSid: read(env, "TWILIO_ACCOUNT_SID", z.string().regex(/^AC[0-9a-fA-F]{32}$/), "AC followed by 32 hex digits"),
      authToken: read(env, "TWILIO_AUTH_TOKEN", z.string().min(8), "your Twilio auth token"),
      apiUrl: read(env, "TWILIO_API_URL", httpUrl, "an http(s) URL") ?? "https://api.twilio.com",
      whatsappFrom: read(env, "TWILIO_WHATSAPP_FROM", z.string().regex(/^whatsapp:\+[1-9]\d{6,14}$/), "whatsapp:+E164, e.g. whatsapp:+14155238886"),
    },
    whatsappEnabled: read(env, "WHATSAPP_ENABLED", bool, "true or false") ?? false,
    whatsappWsUrl: read(env, "WHATSAPP_WS_URL", z.string().url().refine((u) => /^wss?:\/\//i.test(u)), "a ws:// or wss:// URL"),
    paypal:
      paypalId && paypalSecret
        ? {
            clientId: paypalId,
            clientSecret: paypalSecret,
            webhookId: read(env, "PAYPAL_WEBHOOK_ID", z.string().min(1), "a webhook id"),
            apiUrl: read(env, "PAYPAL_API_URL", httpUrl, "an http(s) URL") ?? "https://api-m.paypal.com",
          }
        : undefined,
    tranzila:
      tzTerminal && tzAppKey && tzSecret
        ? {
            terminal: tzTerminal,
            appKey: tzAppKey,
            secret: tzSecret,
            apiUrl: read(env, "TRANZILA_API_URL", httpUrl, "an http(s) URL") ?? "https://api.tranzila.com",
          }
        : undefined,
    logFormat: read(env, "LOG_FORMAT", z.enum(["json", "pretty"]), "json or pretty") ?? (process.stdout.isTTY ? "pretty" : "json"),
    logLevel: read(env, "LOG_LEVEL", z.enum(["debug", "info", "warn", "error"]), "debug, info, warn or error") ?? "info",
  };
  return Object.freeze(config);
}
