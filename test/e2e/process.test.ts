/** The real CLI as a child process: exit codes, config errors, admin create, start-up, graceful stop. */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort, ROOT, spawnServer, tempDir, type Spawned } from "../support/server.ts";

const cli = (args: string[], env: Record<string, string> = {}) =>
  Bun.spawnSync(["bun", join(ROOT, "src/cli.ts"), ...args], { env: { ...process.env, ...env }, stdin: "ignore" });

test("a bad variable stops start-up with one line naming it, exit 2", () => {
  const out = cli(["serve"], { PORT: "abc", DATA_DIR: tempDir() });
  expect(out.exitCode).toBe(2);
  const err = out.stderr.toString().trim();
  expect(err.split("\n")).toHaveLength(1);
  expect(err).toContain("PORT must be an integer 0–65535");
});

test("--version prints the deploy id; DEPLOY_ID overrides", () => {
  expect(cli(["--version"]).stdout.toString().trim()).toMatch(/^(?:[0-9a-f]{7,12}|unknown)-\d{8}T\d{6}Z$/);
  expect(cli(["--version"], { DEPLOY_ID: "release-42" }).stdout.toString().trim()).toBe("release-42");
});

test("--help lists the commands; an unknown command is a usage error", () => {
  const help = cli(["--help"]).stdout.toString();
  for (const word of ["serve", "--version", "admin create", "doctor <BASE_URL>", "call <BASE_URL>"]) expect(help).toContain(word);
  expect(cli(["frobnicate"]).exitCode).toBe(2);
});

test("admin create makes a user the server accepts; a duplicate fails", async () => {
  const dataDir = tempDir();
  const made = cli(["admin", "create", "cli@example.com", "--password", "cli-password", "--role", "admin"], { DATA_DIR: dataDir });
  expect(made.exitCode).toBe(0);
  expect(made.stdout.toString()).toContain("created admin cli@example.com");
  expect(cli(["admin", "create", "cli@example.com", "--password", "cli-password"], { DATA_DIR: dataDir }).exitCode).toBe(1);
  const generated = cli(["admin", "create", "gen@example.com"], { DATA_DIR: dataDir });
  const password = generated.stdout.toString().match(/password: (\S+)/)![1]!;

  const server = await spawnServer({ env: { DATA_DIR: dataDir } });
  try {
    for (const [email, pw] of [["cli@example.com", "cli-password"], ["gen@example.com", password]]) {
      const res = await fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password: pw }),
      });
      expect(res.status).toBe(200);
    }
    expect(server.lines.some((l) => l.event === "setup.link")).toBe(false);
  } finally {
    server.proc.kill("SIGTERM");
    await server.exited;
  }
});

test("SIGTERM: stops accepting, finishes the request in flight, closes the db, exits 0", async () => {
  const dataDir = tempDir();
  const server = await spawnServer({ env: { DATA_DIR: dataDir, ADMIN_EMAIL: "o@example.com", ADMIN_PASSWORD: "password1" } });
  await server.waitFor("db.migrated");

  // A login whose body arrives slowly: the request is in flight when SIGTERM lands.
  let sendRest!: () => void;
  const restSent = new Promise<void>((r) => (sendRest = r));
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode('{"email":"o@example.com",'));
      await restSent;
      controller.enqueue(new TextEncoder().encode('"password":"password1"}'));
      controller.close();
    },
  });
  const inFlight = fetch(`${server.url}/api/auth/login`, { method: "POST", body, headers: { "content-type": "application/json" } });
  await Bun.sleep(100); // the first half of the body is on the server
  server.proc.kill("SIGTERM");
  await server.waitFor("server.stopping");
  sendRest();

  const res = await inFlight;
  expect(res.status).toBe(200);
  expect(await server.exited).toBe(0);
  expect(server.lines.some((l) => l.event === "server.stopped")).toBe(true);
  // a clean close checkpoints the WAL and removes it
  expect(existsSync(join(dataDir, "agentlocator.db-wal"))).toBe(false);
  await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
});

/** Polls /healthz every few ms until the (early) server answers. */
async function firstHealthz(url: string, server: Spawned): Promise<void> {
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    if (server.proc.exitCode !== null) throw new Error(`server exited ${server.proc.exitCode}`);
    await Bun.sleep(2);
  }
  throw new Error("no /healthz within 15 s");
}

test("requests that arrive while the application loads wait for it: TwiML, /version and the env owner's login all succeed, no 503, no 401", async () => {
  const port = freePort();
  const server = await spawnServer({ env: { PORT: String(port), ADMIN_EMAIL: "o@example.com", ADMIN_PASSWORD: "password1" }, listening: false });
  try {
    await firstHealthz(server.url, server);
    // the port answers, but the application is not in yet: this is the window the requests must survive
    expect(server.lines.some((l) => l.event === "server.listening")).toBe(false);
    const [twiml, version, login] = await Promise.all([
      fetch(`${server.url}/webhook/incoming_call`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "CallSid=CAstartup1&From=%2B972501234567" }),
      fetch(`${server.url}/version`),
      fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "o@example.com", password: "password1" }) }),
    ]);
    expect(twiml.status).toBe(200);
    expect(await twiml.text()).toContain("<Stream url=");
    expect(version.status).toBe(200);
    expect(login.status).toBe(200);
  } finally {
    server.proc.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  }
});

test("SIGTERM the moment the port answers (the application still loading): exit 0, nothing half-written", async () => {
  const port = freePort();
  const dataDir = tempDir();
  const server = await spawnServer({ env: { PORT: String(port), DATA_DIR: dataDir, ADMIN_EMAIL: "o@example.com", ADMIN_PASSWORD: "password1" }, listening: false });
  await firstHealthz(server.url, server);
  server.proc.kill("SIGTERM");
  expect(await server.exited).toBe(0);
  expect(existsSync(join(dataDir, "agentlocator.db-wal"))).toBe(false);
});

test("SIGTERM while start-up is creating the env owner (database open): exit 0 after closing the database", async () => {
  const dataDir = tempDir();
  const server = await spawnServer({ env: { DATA_DIR: dataDir, ADMIN_EMAIL: "o@example.com", ADMIN_PASSWORD: "password1" }, listening: false });
  await server.waitFor("db.migrated"); // next: argon2-hashing ADMIN_PASSWORD (~100 ms), then the port is handed over
  server.proc.kill("SIGTERM");
  expect(await server.exited).toBe(0);
  expect(server.lines.some((l) => l.event === "server.stopped")).toBe(true);
  expect(existsSync(join(dataDir, "agentlocator.db-wal"))).toBe(false); // closed cleanly: the WAL was checkpointed
  // and the owner it was creating is either there or not — never half there: the next start signs in
  const again = await spawnServer({ env: { DATA_DIR: dataDir, ADMIN_EMAIL: "o@example.com", ADMIN_PASSWORD: "password1" } });
  try {
    const login = await fetch(`${again.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "o@example.com", password: "password1" }) });
    expect(login.status).toBe(200);
  } finally {
    again.proc.kill("SIGTERM");
    await again.exited;
  }
});
