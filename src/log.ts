/**
 * Structured logging: one JSON object per line on stdout (or a readable line with LOG_FORMAT=pretty / a TTY).
 * Every line has `time`, `level`, `event`; numbers go in `value`, calls carry `callSid`.
 * Field names that look like secrets are redacted, so a token or password never reaches the log.
 *
 * @example log.info(EV.EOU_MS, { callSid, value: 512 })
 */

/** The call events Twilio operators know by these exact names, plus the dotted names of the rest of the system. */
export const EV = {
  // call events (exact names, part of the external contract)
  WS_START: "WS_START",
  STT_PARTIAL: "STT_PARTIAL",
  STT_FINAL: "STT_FINAL",
  EOU_MS: "EoU_ms",
  TTS_LEN_MS: "TTS_LEN_ms",
  MEDIA_TX: "MEDIA_TX",
  PING_TX: "PNG_PONG_TX",
  PONG_RX: "PNG_PONG_RX",
  BARGE_IN: "BARGE_IN",
  WS_STOP: "WS_STOP",
  // system
  SERVER_LISTENING: "server.listening",
  SERVER_STOPPING: "server.stopping",
  SERVER_STOPPED: "server.stopped",
  CONFIG_INVALID: "config.invalid",
  DB_MIGRATED: "db.migrated",
  DB_ERROR: "db.error",
  HTTP_REQUEST: "http.request",
  PROCESS_ERROR: "process.error",
  WS_HANDLER_ERROR: "ws.handler_error",
  HTTP_ERROR: "http.error",
  HTTP_UPSTREAM_ERROR: "http.upstream_error",
  AUTH_LOGIN: "auth.login",
  AUTH_LOGIN_FAILED: "auth.login_failed",
  AUTH_RATE_LIMITED: "auth.rate_limited",
  ADMIN_CREATED: "admin.created",
  SETUP_LINK: "setup.link",
  JWT_SECRET_GENERATED: "jwt.secret_generated",
  CALL_DTMF: "call.dtmf",
  CALL_INCOMING: "call.incoming",
  CALL_RECORD_FAILED: "call.record_failed",
  CALL_RECORDING_FAILED: "call.recording_failed",
  CALL_REPLY_FAILED: "call.reply_failed",
  CALL_TOOL_FAILED: "call.tool_failed",
  CALL_SAVED: "call.saved",
  CALL_TRANSFER: "call.transfer",
  CALL_TRANSFER_FAILED: "call.transfer_failed",
  CALL_TRANSFERRING: "call.transferring",
  CALL_TYPED: "call.typed",
  CALL_VOICEMAIL: "call.voicemail",
  CRM_WRITE_FAILED: "crm.write_failed",
  LEAD_SAVED: "lead.saved",
  LLM_FAILED: "llm.failed",
  PAYMENT_LINK_CREATED: "payment.link_created",
  PAYMENT_PROVIDER_FAILED: "payment.provider_failed",
  PAYMENT_PAID: "payment.paid",
  PAYMENT_REVIEW: "payment.review",
  PAYMENT_WEBHOOK_FORGED: "payment.webhook_forged",
  PAYMENT_NOTIFY: "payment.notify",
  PAYMENT_CALLBACK_LIMITED: "payment.callback_limited",
  PROVIDERS_WARM: "providers.warm",
  PROVIDERS_WARM_FAILED: "providers.warm_failed",
  /** A barge-in whose speech brought no words (a noise): the agent resumed. */
  BARGE_IN_FALSE: "barge_in.false",
  REPLY_SPECULATIVE: "reply.speculative",
  STT_FAILED: "stt.failed",
  STT_RESTART: "stt.restart",
  TASK_CALLBACK_SCHEDULED: "task.callback_scheduled",
  TTS_FAILED: "tts.failed",
  TTS_FALLBACK: "tts.fallback",
  TTS_WARM_FAILED: "tts.warm_failed",
  TTS_PROMPTS_WARM: "tts.prompts_warm",
  TURN_UNANSWERED: "turn.unanswered",
  TWILIO_BAD_SIGNATURE: "twilio.bad_signature",
  TWILIO_REST_FAILED: "twilio.rest_failed",
  TWILIO_STREAM_ENDED: "twilio.stream_ended",
  TWILIO_STREAM_ERROR: "twilio.stream_error",
  TWILIO_STREAM_STATUS: "twilio.stream_status",
  VOICEMAIL_RECORDING: "voicemail.recording",
  VOICEMAIL_SAVED: "voicemail.saved",
  WHATSAPP_BAD_EVENT: "whatsapp.bad_event",
  WHATSAPP_BAILEYS: "whatsapp.baileys",
  WHATSAPP_CONNECTED: "whatsapp.connected",
  WHATSAPP_CONNECTING: "whatsapp.connecting",
  WHATSAPP_DISCONNECTED: "whatsapp.disconnected",
  WHATSAPP_EVENT_FAILED: "whatsapp.event_failed",
  WHATSAPP_HANDLER_FAILED: "whatsapp.handler_failed",
  WHATSAPP_LID_LINKED: "whatsapp.lid_linked",
  WHATSAPP_MEDIA_FAILED: "whatsapp.media_failed",
  WHATSAPP_MEDIA_SAVED: "whatsapp.media_saved",
  WHATSAPP_MESSAGE_IN: "whatsapp.message_in",
  WHATSAPP_QR: "whatsapp.qr",
  WHATSAPP_RESTRICTED: "whatsapp.restricted",
  WHATSAPP_RESTRICTIONS_UNKNOWN: "whatsapp.restrictions_unknown",
  WHATSAPP_SEND_FAILED: "whatsapp.send_failed",
  WHATSAPP_SENT: "whatsapp.sent",
  WHATSAPP_STATE: "whatsapp.state",
  WHATSAPP_STATUS_CALLBACK: "whatsapp.status_callback",
  WHATSAPP_VERSION_REFRESH: "whatsapp.version_refresh",
  WHATSAPP_WORKER_CRASHED: "whatsapp.worker_crashed",
  WHATSAPP_WORKER_HUNG: "whatsapp.worker_hung",
  WHATSAPP_WORKER_REJECTION: "whatsapp.worker_rejection",
  WHATSAPP_WORKER_RESTART: "whatsapp.worker_restart",
  WHATSAPP_WORKER_STARTED: "whatsapp.worker_started",
  WS_BAD_FRAME: "ws.bad_frame",
  WS_CLOSING: "ws.closing",
  WS_REJECTED: "ws.rejected",
  // hardening: accounts, stream limits, crash recovery
  USER_CHANGED: "user.changed",
  USER_PASSWORD_SET: "user.password_set",
  WS_MEDIA_TIMEOUT: "ws.media_timeout",
  CALLS_INTERRUPTED: "calls.interrupted",
  CALL_REPLAYED: "call.replayed",
  // WhatsApp and payment links from calls
  CALL_WHATSAPP: "call.whatsapp",
  CALL_PAYMENT_LINK: "call.payment_link",
  CALL_SUMMARY_SENT: "call.summary_sent",
  CALL_SUMMARY_FAILED: "call.summary_failed",
  CALL_SUMMARY_SKIPPED: "call.summary_skipped",
  // the admin app's browser test call
  TEST_CALL_CREATED: "test_call.created",
  TEST_CALL_TYPED: "test_call.typed",
} as const;

export type EventName = (typeof EV)[keyof typeof EV];
export type Level = "debug" | "info" | "warn" | "error";
export type Fields = Record<string, unknown>;

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api_?key|private_?key/i;

export interface Logger {
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
  /** A logger whose lines all carry `fields` (e.g. `{ callSid }`). */
  child(fields: Fields): Logger;
}

interface Sink {
  format: "json" | "pretty";
  level: Level;
  write: (line: string) => void;
}

const sink: Sink = {
  format: process.stdout.isTTY ? "pretty" : "json",
  level: "info",
  write: (line) => process.stdout.write(line + "\n"),
};

/** Set once from Config at start-up; tests may pass a `write` to capture lines. */
export function configureLog(options: Partial<Sink>): void {
  Object.assign(sink, options);
}

function redact(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (!value || typeof value !== "object" || depth > 4) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Fields = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

function emit(level: Level, event: string, base: Fields, fields?: Fields): void {
  if (LEVELS[level] < LEVELS[sink.level]) return;
  const record = redact({ time: new Date().toISOString(), level, event, ...base, ...fields }) as Fields;
  if (sink.format === "json") {
    sink.write(JSON.stringify(record));
    return;
  }
  const { time, level: _l, event: _e, ...rest } = record;
  const extras = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  sink.write(`${String(time).slice(11, 23)} ${level.toUpperCase().padEnd(5)} ${event}${extras ? " " + extras : ""}`);
}

function make(base: Fields): Logger {
  return {
    debug: (e, f) => emit("debug", e, base, f),
    info: (e, f) => emit("info", e, base, f),
    warn: (e, f) => emit("warn", e, base, f),
    error: (e, f) => emit("error", e, base, f),
    child: (fields) => make({ ...base, ...fields }),
  };
}

export const log: Logger = make({});
