/**
 * Start-up and /healthz benchmark of the compiled binary (`bun scripts/bench/startup.ts [--no-build]`).
 * - cold start: spawn → first 200 on /healthz, 10 runs, each from a fresh empty folder (target median ≤ 60 ms)
 * - spawn → first TwiML from incoming_call and → first successful login of the ADMIN_EMAIL owner, both asked from
 *   the first moment the port accepts, 10 runs (targets: median TwiML ≤ 100 ms, login ≤ 300 ms); on a restart (the
 *   owner exists: one argon2 verification) and on the very first start (the owner is created first: one more hash)
 * - /healthz latency under 2,000 requests/s from a second process for 5 s (target p99 ≤ 2 ms)
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { percentile, printTable } from "./table.ts";

const root = join(import.meta.dir, "..", "..");
const binary = join(root, "dist", "agentlocator");
if (!process.argv.includes("--no-build")) {
  const b = Bun.spawnSync(["bun", join(root, "scripts/build.ts"), binary], { stdout: "inherit", stderr: "inherit" });
  if (b.exitCode !== 0) process.exit(1);
}

let nextPort = 40000 + Math.floor(Math.random() * 10000);

const dirs: string[] = [];
process.on("exit", () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const OWNER = { ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" };

function spawnBinary(dir = freshDir()): { proc: Bun.Subprocess; port: number; t0: number; dir: string } {
  const port = nextPort++;
  const t0 = performance.now();
  const proc = Bun.spawn([join(dir, "agentlocator")], {
    cwd: dir,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", ...OWNER },
    stdout: "ignore",
    stderr: "ignore",
  });
  return { proc, port, t0, dir };
}

/** An empty folder holding only a copy of the binary. */
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "al-bench-"));
  dirs.push(dir);
  copyFileSync(binary, join(dir, "agentlocator"));
  Bun.spawnSync(["chmod", "+x", join(dir, "agentlocator")]);
  return dir;
}

/** Sends `request` until it answers 200 (a refused connection is retried at once); ms since `t0`. */
async function firstOk(t0: number, what: string, request: () => Promise<Response>): Promise<number> {
  for (;;) {
    try {
      const r = await request();
      if (r.status === 200) return performance.now() - t0;
      await r.arrayBuffer();
    } catch {
      // not listening yet
    }
    await Bun.sleep(1);
    if (performance.now() - t0 > 10_000) throw new Error(`binary did not answer ${what} within 10 s`);
  }
}

async function startBinary(): Promise<{ proc: Bun.Subprocess; port: number; ms: number }> {
  const { proc, port, t0 } = spawnBinary();
  return { proc, port, ms: await firstOk(t0, "/healthz", () => fetch(`http://127.0.0.1:${port}/healthz`)) };
}

const colds: number[] = [];
for (let i = 0; i < 10; i++) {
  const { proc, ms } = await startBinary();
  colds.push(ms);
  proc.kill("SIGTERM");
  await proc.exited;
}
colds.sort((a, b) => a - b);
printTable("Cold start of dist/agentlocator → first 200 on /healthz (10 runs)", [
  { metric: "median ms", value: percentile(colds, 50), target: "≤ 60" },
  { metric: "min ms", value: colds[0]!, target: "" },
  { metric: "max ms", value: colds[colds.length - 1]!, target: "" },
]);

/** Spawn → first TwiML and → first owner login, both asked from the first moment the port accepts. */
async function firstAnswers(dir?: string): Promise<{ twiml: number; login: number; dir: string }> {
  const run = spawnBinary(dir);
  const base = `http://127.0.0.1:${run.port}`;
  const [twiml, login] = await Promise.all([
    firstOk(run.t0, "incoming_call", () =>
      fetch(`${base}/webhook/incoming_call`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `CallSid=CAbench${run.port}&From=%2B972501234567` }),
    ),
    firstOk(run.t0, "login", () =>
      fetch(`${base}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: OWNER.ADMIN_EMAIL, password: OWNER.ADMIN_PASSWORD }) }),
    ),
  ]);
  run.proc.kill("SIGTERM");
  await run.proc.exited;
  return { twiml, login, dir: run.dir };
}

const first = { twiml: [] as number[], login: [] as number[] };
const restart = { twiml: [] as number[], login: [] as number[] };
for (let i = 0; i < 10; i++) {
  const a = await firstAnswers();
  first.twiml.push(a.twiml);
  first.login.push(a.login);
  const b = await firstAnswers(a.dir);
  restart.twiml.push(b.twiml);
  restart.login.push(b.login);
}
for (const list of [first.twiml, first.login, restart.twiml, restart.login]) list.sort((x, y) => x - y);
printTable("Spawn of dist/agentlocator → first answer, asked from the first moment the port accepts (median of 10)", [
  { metric: "restart: incoming_call TwiML ms", value: percentile(restart.twiml, 50), target: "≤ 100" },
  { metric: "restart: owner login 200 ms", value: percentile(restart.login, 50), target: "≤ 300" },
  { metric: "first start: incoming_call TwiML ms", value: percentile(first.twiml, 50), target: "≤ 100" },
  { metric: "first start (owner created): login 200 ms", value: percentile(first.login, 50), target: "" },
]);

const { proc, port } = await startBinary();
// steady state: measure after start-up (migrations, provider warm-up) is done, not during it
for (let i = 0; i < 500; i++) {
  const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { db: string };
  if (ready.db === "ok") break;
  await Bun.sleep(10);
}
await Bun.sleep(1000);
const load = Bun.spawnSync(["bun", join(import.meta.dir, "load.ts"), `http://127.0.0.1:${port}/healthz`, "2000", "5"]);
proc.kill("SIGTERM");
await proc.exited;
const result = JSON.parse(load.stdout.toString()) as { latencies: number[]; errors: number; elapsedMs: number };
const lat = result.latencies.sort((a, b) => a - b);
printTable("/healthz under 2,000 requests/s for 5 s from a second process", [
  { metric: "requests ok", value: lat.length, target: "10000" },
  { metric: "errors", value: result.errors, target: "0" },
  { metric: "p50 ms", value: percentile(lat, 50), target: "" },
  { metric: "p99 ms", value: percentile(lat, 99), target: "≤ 2" },
  { metric: "max ms", value: lat[lat.length - 1]!, target: "" },
]);
