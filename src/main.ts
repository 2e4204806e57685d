/**
 * Composition root: config → listen → db → services. The one module that wires everything together.
 * The server listens before anything heavy happens; the database opens right after (milliseconds), and
 * providers (Google, LLM, Baileys) start on first use — so /healthz answers from the first moment.
 */
import type { Server } from "bun";
import { FailureLimiter } from "./auth/rate-limit.ts";
import { resolveJwtSecret } from "./auth/jwt-secret.ts";
import { Tokens } from "./auth/tokens.ts";
import type { Config } from "./config.ts";
import { buildCalls } from "./compose/calls.ts";
import { buildProviders } from "./compose/providers.ts";
import { AuditService } from "./crm/audit.ts";
import { CallRecords } from "./crm/call-records.ts";
import { ContactService } from "./crm/contacts.ts";
import { SettingsService } from "./crm/settings.ts";
import { TaskService } from "./crm/tasks.ts";
import { UserService } from "./crm/users.ts";
import { migrate, openDatabase, type Db } from "./db/client.ts";
import { AppError } from "./errors.ts";
import { createApp } from "./http/app.ts";
import type { HttpDeps, Services } from "./http/env.ts";
import { configureLog, EV, log } from "./log.ts";
import { Readiness } from "./readiness.ts";
import { serve } from "./server.ts";
import { mediaWebSocketHandler, type MediaSocketData } from "./transports/twilio/media-server.ts";
import { versionInfo } from "./version.ts";

export interface Running {
  server: Server<MediaSocketData>;
  /** http://host:port the server listens on (loopback form for 0.0.0.0). */
  url: string;
  readiness: Readiness;
  /** Resolves once the providers and the greeting cache are warm. */
  warmed: Promise<void>;
  /** Let live calls finish their reply and in-flight requests finish (≤ graceMs), close the database. */
  stop(graceMs?: number): Promise<void>;
}

export const STOP_GRACE_MS = 10_000;

/** Starts everything; `early` is the server that already holds the port (see early-server.ts), if any. */
export async function start(config: Readonly<Config>, early?: Server<MediaSocketData>): Promise<Running> {
  configureLog({ format: config.logFormat, level: config.logLevel });
  const readiness = new Readiness();
  const { secret, generated } = resolveJwtSecret(config.jwtSecret, config.dataDir);
  if (generated) log.info(EV.JWT_SECRET_GENERATED, { file: `${config.dataDir}/jwt_secret` });
  const tokens = new Tokens(secret);

  let db: Db | undefined;
  let services: Services | undefined;
  const providers = buildProviders(config, readiness);
  const calls = buildCalls(config, secret, providers, () => services);
  const deps: HttpDeps = {
    config,
    readiness,
    version: versionInfo(config.deployId),
    tokens,
    loginLimiter: new FailureLimiter(5, 60_000),
    streamToken: calls.streamToken,
    services: () => {
      if (!services) throw new AppError("unavailable", "database is not available; see /readyz");
      return services;
    },
  };

  const app = createApp(deps, { settingsChanged: () => void calls.warmPrompts() });
  const websocket = mediaWebSocketHandler(() => calls.mediaDeps(config.wsPingIntervalMs));
  const server = serve({ port: config.port, hostname: config.host, app, websocket }, early);
  readiness.set("ws", "ok");
  const url = `http://${config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host}:${server.port}`;
  log.info(EV.SERVER_LISTENING, { url, port: server.port, deployId: deps.version.deployId });

  try {
    db = openDatabase(config.databasePath);
    const applied = migrate(db);
    const contacts = new ContactService(db);
    services = {
      users: new UserService(db),
      audit: new AuditService(db),
      contacts,
      calls: new CallRecords(db, contacts),
      tasks: new TaskService(db),
      settings: new SettingsService(db),
    };
    readiness.set("db", "ok");
    log.info(EV.DB_MIGRATED, { applied, path: config.databasePath });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    readiness.set("db", "err", reason);
    log.error(EV.DB_ERROR, { reason, path: config.databasePath });
  }

  reportWhatsapp(config, readiness);
  if (services)
    await bootstrapAdmin(config, services, tokens, config.publicBaseUrl ?? url).catch((err) => log.error(EV.DB_ERROR, { reason: `creating the first admin: ${err instanceof Error ? err.message : String(err)}` }));
  // after listening: load the Google clients and put the greeting in the cache, in the background
  const warmed = providers.warm().then(() => calls.warmPrompts()).catch((err) => log.warn(EV.PROVIDERS_WARM_FAILED, { err: String(err) }));

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = STOP_GRACE_MS) =>
    (stopping ??= (async () => {
      log.info(EV.SERVER_STOPPING, { graceMs, liveCalls: calls.live.size });
      const t0 = performance.now();
      // stop accepting at once; requests in flight and open sockets go on until they finish (or the grace ends)
      const drained = server.stop(false).then(() => true);
      await calls.drain(graceMs);
      const timedOut = Bun.sleep(Math.max(0, graceMs - (performance.now() - t0))).then(() => false);
      if (!(await Promise.race([drained, timedOut]))) await server.stop(true);
      services = undefined;
      db?.$client.close();
      log.info(EV.SERVER_STOPPED, {});
    })());

  return { server, url, readiness, stop, warmed };
}

/** WhatsApp's readiness until its worker exists. */
function reportWhatsapp(config: Readonly<Config>, readiness: Readiness) {
  if (config.whatsappEnabled) readiness.set("whatsapp", "err", "WHATSAPP_ENABLED=true, but this build has no WhatsApp worker yet");
  else readiness.set("whatsapp", "ok", "disabled (WHATSAPP_ENABLED=false)");
}

/** ADMIN_EMAIL/ADMIN_PASSWORD create the first admin; with no user at all, print a one-time setup link. */
async function bootstrapAdmin(config: Readonly<Config>, services: Services, tokens: Tokens, baseUrl: string) {
  if (config.admin && !services.users.byEmail(config.admin.email)) {
    const user = await services.users.create({ email: config.admin.email, password: config.admin.password, role: "owner" });
    services.audit.record("admin.create", { actorId: user.id, details: { via: "env" } });
    log.info(EV.ADMIN_CREATED, { userId: user.id, via: "ADMIN_EMAIL" });
  }
  if (services.users.count() === 0) {
    const link = `${baseUrl}/app/setup?token=${await tokens.setup()}`;
    log.info(EV.SETUP_LINK, { url: link, expiresInMin: 30, hint: "open this link to create the first admin" });
  }
}
