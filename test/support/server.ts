/**
 * Test helpers: a real server on 127.0.0.1:0 with a fresh DATA_DIR, either in this process (`startInProcess`)
 * or as a child process running the real CLI (`spawnServer`) for signals, exit codes and the binary.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { configureLog } from "../../src/log.ts";
import { start, type Running, type StartOptions } from "../../src/main.ts";

export const ROOT = join(import.meta.dir, "..", "..");

/** Every temporary folder of this test run lives under one root, removed when the run ends. */
const RUN_ROOT = mkdtempSync(join(tmpdir(), "agentlocator-test-"));
process.on("exit", () => rmSync(RUN_ROOT, { recursive: true, force: true }));

export function tempDir(prefix = "al-"): string {
  return mkdtempSync(join(RUN_ROOT, prefix));
}

/** A port that was free a moment ago (for a child that must be reached before it logs its address). */
export function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/** Captured log lines of the in-process server. */
export const logLines: Array<Record<string, unknown>> = [];

type LogLine = Record<string, unknown>;
const logWaiters = new Set<(line: LogLine) => void>();
const pushLine = logLines.push.bind(logLines);
// every captured line also wakes whoever waits for it (whichever module configured the log to push here)
logLines.push = (...lines: LogLine[]) => {
  const n = pushLine(...lines);
  for (const line of lines) for (const w of logWaiters) w(line);
  return n;
};

/** Resolves with the first log line (already captured, or the next ones) that `pred` accepts; rejects after `timeoutMs`. */
export function logLine(pred: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> {
  const seen = logLines.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const done = (line?: LogLine) => {
      logWaiters.delete(waiter);
      clearTimeout(timer);
      if (line) resolve(line);
      else reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    };
    const waiter = (line: LogLine) => pred(line) && done(line);
    const timer = setTimeout(() => done(), timeoutMs);
    logWaiters.add(waiter);
  });
}

export async function startInProcess(env: Record<string, string> = {}, options: StartOptions = {}): Promise<Running & { dataDir: string }> {
  const dataDir = env.DATA_DIR ?? tempDir();
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_FORMAT: "json", LOG_LEVEL: "debug", ...env });
  configureLog({ write: (line) => logLines.push(JSON.parse(line)) });
  const running = await start(config, undefined, options);
  return Object.assign(running, { dataDir });
}

export interface Spawned {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  /** Every stdout line so far, parsed when it is JSON. */
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first log line whose event is `event`. */
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number>;
}

/**
 * Runs `cmd` (default: bun src/cli.ts serve) with PORT=0 and waits for `server.listening` — or, with
 * `listening: false`, returns at once (give a PORT then: `url` is built from it) to catch the start-up itself.
 */
export async function spawnServer(opts: { env?: Record<string, string>; cmd?: string[]; cwd?: string; listening?: boolean } = {}): Promise<Spawned> {
  const dataDir = opts.env?.DATA_DIR ?? tempDir();
  const proc = Bun.spawn(opts.cmd ?? ["bun", join(ROOT, "src/cli.ts"), "serve"], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_FORMAT: "json", ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ event: string; resolve: (l: Record<string, unknown>) => void }> = [];
  (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of proc.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text);
        } catch {
          line = { text };
        }
        lines.push(line);
        for (const w of waiters.filter((w) => w.event === line.event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  })();
  const waitFor = (event: string, timeoutMs = 15_000) => {
    const seen = lines.find((l) => l.event === event);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms; stdout: ${JSON.stringify(lines)}`)), timeoutMs);
      waiters.push({ event, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  };
  if (opts.listening === false) return { proc, url: `http://127.0.0.1:${opts.env?.PORT}`, lines, waitFor, exited: proc.exited };
  const listening = await Promise.race([
    waitFor("server.listening"),
    proc.exited.then(async (code) => {
      throw new Error(`server exited ${code}: ${await new Response(proc.stderr).text()}`);
    }),
  ]);
  return { proc, url: String(listening.url), lines, waitFor, exited: proc.exited };
}
