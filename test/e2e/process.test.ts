/** The real CLI as a child process: exit codes, config errors, admin create, graceful stop. */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, spawnServer, tempDir } from "../support/server.ts";

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
