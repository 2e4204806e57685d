/**
 * Composition root: config → listen → db → services. The one module that wires everything together.
 * The server listens before anything heavy happens; the database opens right after (milliseconds), and
 * providers (Google, LLM, Baileys) start on first use — so /healthz answers from the first moment.
 */
import type { Server } from "bun";
import { availableParallelism } from "node:os";
import { LoginGuard } from "./auth/login-guard.ts";
import { resolveJwtSecret } from "./auth/jwt-secret.ts";
import { Semaphore } from "./auth/semaphore.ts";
import { Tokens } from "./auth/tokens.ts";
import type { Config } from "./config.ts";
import { buildCalls } from "./compose/calls.ts";
import { buildProviders } from "./compose/providers.ts";
import { AuditService } from "./crm/audit.ts";
import { buildPayments } from "./compose/payments.ts";
import { CallRecords } from "./crm/call-records.ts";
import { ContactService } from "./crm/contacts.ts";
import { MessageService } from "./crm/messages.ts";
import { NoteService } from "./crm/notes.ts";
import { SessionService } from "./crm/sessions.ts";
import { SettingsService } from "./crm/settings.ts";
import { TaskService } from "./crm/tasks.ts";
import { StatsService } from "./crm/stats.ts";
import { UserService } from "./crm/users.ts";
import { migrate, openDatabase, type Db } from "./db/client.ts";
import { securePrivateDataDir } from "./data-dir.ts";
import type { EarlyServer } from "./early-server.ts";
import { AppError } from "./errors.ts";
import { AdminHub } from "./http/admin-socket.ts";
import { createApp } from "./http/app.ts";
import type { HttpDeps, Services } from "./http/env.ts";
import { liveFeed, silentFeed, type LiveFeed } from "./live-events.ts";
import { configureLog, EV, log } from "./log.ts";
import { Readiness } from "./readiness.ts";
import { serve } from "./server.ts";
import { mediaWebSocketHandler, type MediaSocketData } from "./transports/twilio/media-server.ts";
import { versionInfo } from "./version.ts";
import { WhatsappInbox } from "./whatsapp/inbox.ts";
import { MediaStore } from "./whatsapp/media-store.ts";
import { SendQueue, type SendQueueOptions } from "./whatsapp/send-queue.ts";
import { WhatsappSender } from "./whatsapp/sender.ts";
import { disabledWhatsapp } from "./whatsapp/control.ts";
import { WhatsappSupervisor, type SupervisorOptions } from "./whatsapp/supervisor.ts";
import { TwilioWhatsapp } from "./whatsapp/twilio-whatsapp.ts";

export interface Running {
  server: Server<MediaSocketData>;
  /** The HTTP application, for `app.request(…)` in tests (the same one the server runs). */
  app: ReturnType<typeof createApp>;
  /** The admin app's live-event sockets. */
  adminHub: AdminHub;
  /** http://host:port the server listens on (loopback form for 0.0.0.0). */
  url: string;
  readiness: Readiness;
  /** Resolves once the providers and the greeting cache are warm. */
  warmed: Promise<void>;
  /** The WhatsApp worker's supervisor, when WHATSAPP_ENABLED=true. */
  whatsapp?: WhatsappSupervisor;
  /** Let live calls finish their reply and in-flight requests finish (≤ graceMs), close the database. */
  stop(graceMs?: number): Promise<void>;
}

export const STOP_GRACE_MS = 10_000;

/** What tests may change in start(): production passes nothing. */
export interface StartOptions {
  /** Supervisor settings for tests (shorter timings, fault injection). */
  whatsapp?: Partial<Omit<SupervisorOptions, "sink">>;
}

/**
 * Starts everything; `early` is the server that already holds the port (see early-server.ts), if any. The
 * application is handed the port only once the database is migrated (requests that arrive earlier wait in the early
 * server), and logins wait until the ADMIN_EMAIL owner exists — so no request meets a half-started server.
 */
export async function start(config: Readonly<Config>, early?: EarlyServer, opts: StartOptions = {}): Promise<Running> {
  // DATA_DIR holds the database, recordings, the WhatsApp session and the JWT secret: owner-only from here on
  process.umask(0o077);
  configureLog({ format: config.logFormat, level: config.logLevel });
  securePrivateDataDir(config.dataDir);
  const readiness = new Readiness();
  const { secret, generated } = resolveJwtSecret(config.jwtSecret, config.dataDir);
  if (generated) log.info(EV.JWT_SECRET_GENERATED, { file: `${config.dataDir}/jwt_secret` });
  const tokens = new Tokens(secret);

  let db: Db | undefined;
  let services: Services | undefined;
  // the one live-event feed: services publish as they write, the admin sockets deliver (an agent gets their own contacts')
  const adminHub = new AdminHub((contactId) => services?.contacts.ownerOf(contactId));
  const live = liveFeed((event) => adminHub.deliver(event));
  let envOwner: Promise<void> = Promise.resolve();
  const providers = buildProviders(config, readiness);
  const media = new MediaStore(config.dataDir);
  const twilioWhatsapp = twilioWhatsappOf(config);
  const supervisor = config.whatsappEnabled
    ? new WhatsappSupervisor({
        dataDir: config.dataDir,
        wsUrl: config.whatsappWsUrl,
        live,
        readiness,
        ...opts.whatsapp,
        sink: {
          message: (m) => void deps.services().whatsapp.inbox.receiveBaileys(m),
          receipts: (updates) => {
            for (const u of updates) deps.services().messages.updateStatus("baileys", u.providerId, u.status);
          },
          lid: (mappings) => void deps.services().whatsapp.inbox.linkLid(mappings),
        },
      })
    : undefined;
  const calls = buildCalls(config, secret, providers, () => services);
  const deps: HttpDeps = {
    config,
    readiness,
    version: versionInfo(config.deployId),
    tokens,
    loginGuard: new LoginGuard(),
    streamToken: calls.streamToken,
    adminHub,
    services: () => {
      if (!services) throw new AppError("unavailable", "database is not available; see /readyz");
      return services;
    },
    envOwner: () => envOwner,
    whatsapp: supervisor ?? disabledWhatsapp(readiness),
    // the admin app's test calls: whether a call streams now, and its typed turns
    liveCalls: {
      has: (callSid) => calls.live.has(callSid),
      typed: (callSid, text) => calls.live.get(callSid)?.session.typed(text) ?? false,
    },
  };

  try {
    db = openDatabase(config.databasePath);
    const applied = migrate(db);
    services = createServices(db, { config, live, gate: passwordGate(), whatsapp: { baileys: supervisor, twilio: twilioWhatsapp, media } });
    readiness.set("db", "ok");
    log.info(EV.DB_MIGRATED, { applied, path: config.databasePath });
    // a crash (SIGKILL, power loss) leaves calls "in-progress" forever: close them as interrupted
    const interrupted = services.calls.closeInterrupted();
    if (interrupted.length) log.warn(EV.CALLS_INTERRUPTED, { value: interrupted.length, callSids: interrupted.slice(0, 20) });
    services.sessions.prune();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    readiness.set("db", "err", reason);
    log.error(EV.DB_ERROR, { reason, path: config.databasePath });
  }

  // hashing ADMIN_PASSWORD takes ~100 ms of argon2: it runs while the application already answers, and every login
  // waits for it (deps.envOwner), so a login in the first milliseconds finds the owner — and a webhook is not held up
  envOwner = services
    ? ensureEnvOwner(config, services).catch((err) => log.error(EV.DB_ERROR, { reason: `creating the ADMIN_EMAIL owner: ${err instanceof Error ? err.message : String(err)}` }))
    : Promise.resolve();

  const app = createApp(deps, { settingsChanged: () => void calls.warmPrompts() });
  const websocket = mediaWebSocketHandler(() => ({
    ...calls.mediaDeps(config.wsPingIntervalMs),
    startTimeoutMs: config.wsStartTimeoutMs,
    mediaTimeoutMs: config.wsMediaTimeoutMs,
    // one stream per call: not while it streams, not after (a replayed token would reset its record and recording)
    acceptsStream: (callSid: string) => !calls.live.has(callSid) && !streamedBefore(services, callSid),
  }));
  const server = serve({ port: config.port, hostname: config.host, app, websocket, adminSocket: adminHub.handler }, early);
  adminHub.attach(server as Server<unknown>);
  readiness.set("ws", "ok");
  const url = `http://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${server.port}`;
  log.info(EV.SERVER_LISTENING, { url, port: server.port, deployId: deps.version.deployId });
  // after listening and after the database: the worker's first events may be messages to store
  supervisor?.start();
  if (services) await envOwner.then(() => services && printSetupLink(services, tokens, config.publicBaseUrl ?? url));
  // after listening: load the Google clients and put the greeting in the cache, in the background
  const warmed = providers.warm().then(() => calls.warmPrompts()).catch((err) => log.warn(EV.PROVIDERS_WARM_FAILED, { err: String(err) }));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = STOP_GRACE_MS) =>
    (stopping ??= (async () => {
      log.info(EV.SERVER_STOPPING, { graceMs, liveCalls: calls.live.size });
      const t0 = performance.now();
      adminHub.stop();
      // stop accepting at once; requests in flight and open sockets go on until they finish (or the grace ends)
      const drained = server.stop(false).then(() => true);
      await Promise.all([calls.drain(graceMs), supervisor?.stop()]);
      const timedOut = Bun.sleep(Math.max(0, graceMs - (performance.now() - t0))).then(() => false);
      if (!(await Promise.race([drained, timedOut]))) await server.stop(true);
      await envOwner; // a stop during start-up: let the owner's row be written before the database closes
      // WhatsApp media still downloading: each message keeps what was saved and says what was not
      await services?.whatsapp.inbox.stopMedia();
      services = undefined;
      db?.$client.close();
      log.info(EV.SERVER_STOPPED, {});
    })());

  return { server, app, adminHub, url, readiness, stop, warmed, whatsapp: supervisor };
}

export interface ServiceOptions {
  config: Readonly<Config>;
  /** The live-event feed the services publish to (the admin sockets). */
  live?: LiveFeed;
  /** Limits concurrent password hashing (see passwordGate). */
  gate?: Semaphore;
  /** Payment providers' request timeout (ms) and clock, for tests. */
  payments?: { timeoutMs?: number; now?: () => number };
  /** WhatsApp's channels: the Baileys worker's supervisor (when enabled), Twilio's client, the media folder; the pacing (tests shorten it). */
  whatsapp?: { baileys?: WhatsappSupervisor; twilio?: TwilioWhatsapp; media?: MediaStore; pacing?: SendQueueOptions };
}

/** The database-backed services — one place, so tests build exactly what the server runs. */
export function createServices(db: Db, o: ServiceOptions): Services {
  const live = o.live ?? silentFeed;
  const gate = o.gate ?? passwordGate();
  const audit = new AuditService(db);
  const settings = new SettingsService(db);
  const timezone = () => settings.timezone();
  const contacts = new ContactService(db, { live, fieldDefinitions: () => settings.contactFields(), timezone });
  const messages = new MessageService(db, live);
  const media = o.whatsapp?.media ?? new MediaStore(o.config.dataDir);
  const twilio = o.whatsapp?.twilio ?? twilioWhatsappOf(o.config);
  const tasks = new TaskService(db, { live, timezone });
  return {
    users: new UserService(db, gate),
    sessions: new SessionService(db),
    audit,
    contacts,
    calls: new CallRecords(db, contacts, live),
    tasks,
    stats: new StatsService(db, { tasks, timezone }),
    settings,
    notes: new NoteService(db),
    live,
    payments: buildPayments(o.config, { db, audit, contacts, businessName: () => settings.business().name || undefined }, live, o.payments),
    messages,
    whatsapp: {
      inbox: new WhatsappInbox(contacts.identities, messages, { client: twilio, media }),
      sender: new WhatsappSender({ messages, contacts, queue: new SendQueue(o.whatsapp?.pacing), baileys: o.whatsapp?.baileys, twilio, publicBaseUrl: o.config.publicBaseUrl }),
      media,
    },
  };
}

const twilioWhatsappOf = (config: Readonly<Config>) =>
  new TwilioWhatsapp({ apiUrl: config.twilio.apiUrl, accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, from: config.twilio.whatsappFrom });

/**
 * argon2id takes 64 MiB and a core for ~100 ms: a few at once, 16 more may wait up to 3 s, the rest get 429 — plus
 * one slot (and its own queue, served first) kept for accounts signing in from an address they have used before.
 */
export const passwordGate = () => new Semaphore(Math.min(4, Math.max(2, availableParallelism())), 16, 3000, 1);

/** The CRM says this call already had its stream; with the CRM down, the live registry alone decides. */
function streamedBefore(services: Services | undefined, callSid: string): boolean {
  try {
    return services?.calls.hasStreamed(callSid) ?? false;
  } catch (err) {
    log.error(EV.CALL_RECORD_FAILED, { callSid, err });
    return false;
  }
}

/** ADMIN_EMAIL/ADMIN_PASSWORD create the first owner when no such user exists. */
async function ensureEnvOwner(config: Readonly<Config>, services: Services) {
  if (config.admin && !services.users.byEmail(config.admin.email)) {
    const user = await services.users.create({ email: config.admin.email, password: config.admin.password, role: "owner" });
    services.audit.record("admin.create", { actorId: user.id, details: { via: "env" } });
    log.info(EV.ADMIN_CREATED, { userId: user.id, via: "ADMIN_EMAIL" });
  }
}

/** With no user at all, print a one-time setup link for the first owner. */
async function printSetupLink(services: Services, tokens: Tokens, baseUrl: string) {
  if (services.users.count() === 0) {
    const link = `${baseUrl}/app/setup?token=${await tokens.setup()}`;
    log.info(EV.SETUP_LINK, { url: link, expiresInMin: 30, hint: "open this link to create the first admin" });
  }
}
