#!/usr/bin/env bun
/**
 * The agentlocator command: `serve` (default), `--version`, `--help`, `admin create <email>`.
 * Exit codes: 0 ok, 1 failure, 2 bad usage or bad configuration.
 */
// Only types and a node built-in are imported up front, so `serve` installs its signal handlers before loading
// anything (config and zod alone take ~35 ms).
import { parseArgs } from "node:util";
import type { Config } from "./config.ts";
import type { Running } from "./main.ts";

const HELP = `agentlocator — self-hosted AI phone receptionist

Usage:
  agentlocator [serve]                      start the server on $HOST:$PORT (default 0.0.0.0:3000)
  agentlocator --version                    print the deploy id
  agentlocator admin create <email> [--password P] [--role owner|admin|agent] [--name N]
                                            create an admin user in the database of $DATA_DIR
  agentlocator doctor <BASE_URL> [--auth-token T] [--json]
                                            check a running deployment the way Twilio uses it
  agentlocator call <BASE_URL> [--wav FILE | --say TEXT --voice he|en] [--out reply.wav] [--auth-token T]
                                            place a simulated call: greeting time, reply latency, the reply as WAV
  agentlocator --help                       this text

Configuration is read from the environment; see README.md for every variable.
`;

async function configOrExit(): Promise<Readonly<Config>> {
  const { ConfigError, loadConfig } = await import("./config.ts");
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`agentlocator: invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
}

async function serveCommand() {
  // A stop can come at any moment, even while the application is still loading: until it is running there is
  // nothing to drain, so the process only waits for start-up to finish (or not begin), closes the database and
  // exits 0 — never the default "killed by signal".
  let running: Promise<Running> | undefined;
  let stopRequested = false;
  const shutdown = () => {
    if (stopRequested) return;
    stopRequested = true;
    if (!running) return; // start-up has not begun: serveCommand sees the flag and exits 0 itself
    void running
      .then((r) => r.stop())
      .then(
        () => process.exit(0),
        () => process.exit(0), // start-up failed: it already reported why; nothing is open
      );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);

  const config = await configOrExit();
  // hold the port and answer /healthz before the application is even loaded
  const { listenEarly } = await import("./early-server.ts");
  let early;
  try {
    early = listenEarly(config.port, config.host);
  } catch (err) {
    console.error(`agentlocator: cannot listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  // let connections that arrived meanwhile (a health probe, Twilio) be answered before the application loads,
  // and again before it starts: loading and starting are synchronous work that holds the event loop
  await Bun.sleep(1);
  const { start } = await import("./main.ts");
  await Bun.sleep(0);
  if (stopRequested) {
    early.server.stop(true);
    process.exit(0);
  }
  const { EV, log } = await import("./log.ts");
  // A bug in one call must not take the server down: log it loudly and keep answering.
  process.on("unhandledRejection", (err) => log.error(EV.PROCESS_ERROR, { kind: "unhandledRejection", err }));
  process.on("uncaughtException", (err) => log.error(EV.PROCESS_ERROR, { kind: "uncaughtException", err }));
  running = start(config, early);
  // a signal that came while main.ts loaded: stop as soon as start-up is done
  if (stopRequested) {
    stopRequested = false;
    shutdown();
  }
  await running.catch((err) => {
    console.error(`agentlocator: start-up failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

async function adminCreate(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { password: { type: "string" }, role: { type: "string", default: "owner" }, name: { type: "string" } },
  });
  const email = positionals[0];
  if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) return usage("admin create needs an email address");
  const { ROLES } = await import("./roles.ts");
  const role = ROLES.find((r) => r === values.role);
  if (!role) return usage(`--role must be one of ${ROLES.join(", ")}`);
  let password = values.password;
  let generated = false;
  if (!password) {
    if (process.stdin.isTTY) password = prompt("Password (min 8 characters):") ?? "";
    else {
      password = Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString("base64url");
      generated = true;
    }
  }
  if (password.length < 8) return usage("the password must be at least 8 characters");

  const config = await configOrExit();
  process.umask(0o077); // the database may be created here: owner-only, as the server makes it
  const { migrate, openDatabase } = await import("./db/client.ts");
  const { UserService } = await import("./crm/users.ts");
  const { AuditService } = await import("./crm/audit.ts");
  const db = openDatabase(config.databasePath);
  migrate(db);
  try {
    const user = await new UserService(db).create({ email, password, role, name: values.name });
    new AuditService(db).record("admin.create", { actorId: user.id, details: { via: "cli" } });
    console.log(`created ${user.role} ${user.email} (id ${user.id})${generated ? `\npassword: ${password}` : ""}`);
  } catch (err) {
    console.error(`agentlocator: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  } finally {
    db.$client.close();
  }
}

async function doctorCommand(args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { "auth-token": { type: "string" }, json: { type: "boolean" } } });
  const base = positionals[0];
  if (!base || !/^https?:\/\//.test(base)) return usage("doctor needs a base URL such as https://agent.example.com");
  const { runDoctor, formatDoctor, doctorExitCode } = await import("./doctor/doctor.ts");
  const results = await runDoctor({ baseUrl: base, authToken: values["auth-token"] ?? process.env.TWILIO_AUTH_TOKEN });
  console.log(values.json ? JSON.stringify({ ok: doctorExitCode(results) === 0, checks: results }, null, 2) : formatDoctor(results));
  process.exit(doctorExitCode(results));
}

async function callCommand(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { wav: { type: "string" }, say: { type: "string", multiple: true }, voice: { type: "string", default: "he" }, out: { type: "string" }, "auth-token": { type: "string" } },
  });
  const base = positionals[0];
  if (!base || !/^https?:\/\//.test(base)) return usage("call needs a base URL such as https://agent.example.com");
  if (values.voice !== "he" && values.voice !== "en") return usage("--voice must be he or en");
  const { runCall, sayToMulaw, wavFileToMulaw } = await import("./sim/call-command.ts");
  const utterances: Uint8Array[] = [];
  try {
    if (values.wav) utterances.push(await wavFileToMulaw(values.wav));
    for (const text of values.say ?? []) utterances.push(await sayToMulaw(text, values.voice));
  } catch (err) {
    return usage(`cannot read the audio: ${err instanceof Error ? err.message : String(err)}`);
  }
  const report = await runCall({ baseUrl: base, authToken: values["auth-token"] ?? process.env.TWILIO_AUTH_TOKEN, utterances, out: values.out });
  process.exit(report.ok ? 0 : 1);
}

function usage(message: string): never {
  console.error(`agentlocator: ${message}\n\n${HELP}`);
  process.exit(2);
}

export async function main(argv: string[]) {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "serve":
      return serveCommand();
    case "--version":
    case "-v":
    case "version":
      console.log((await import("./version.ts")).versionInfo(process.env.DEPLOY_ID || undefined).deployId);
      return;
    case "--help":
    case "-h":
    case "help":
      console.log(HELP);
      return;
    case "doctor":
      return doctorCommand(rest);
    case "call":
      return callCommand(rest);
    case "admin":
      if (rest[0] === "create") return adminCreate(rest.slice(1));
      return usage(`unknown admin command ${rest[0] ?? "(none)"}`);
    default:
      return usage(`unknown command ${command}`);
  }
}

if (import.meta.main) await main(process.argv.slice(2));
