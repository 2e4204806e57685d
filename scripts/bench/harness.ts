/** Bench helpers: the real server as a child process (so its memory and CPU are its own), and /proc readings. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `bun src/cli.ts serve` on a free port and waits until its providers and greeting cache are warm.
 * `onLine` sees every log line of the server (parsed), e.g. to count events.
 */
export async function startServerProcess(env: Record<string, string>, o: { onLine?: (line: Record<string, unknown>) => void } = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "al-bench-"));
  const proc = Bun.spawn(["bun", join(ROOT, "src/cli.ts"), "serve"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_FORMAT: "json", LOG_LEVEL: "info", ...env },
    stdout: "pipe",
    stderr: "inherit",
  });
  // a bench that fails half-way must not leave its server running
  process.on("exit", () => proc.kill());
  let url = "";
  let resolveListening!: () => void;
  let resolveWarm!: () => void;
  const listening = new Promise<void>((r) => (resolveListening = r));
  const promptsWarm = new Promise<void>((r) => (resolveWarm = r));
  const exited = proc.exited.then((code) => {
    throw new Error(`server exited (${code}) during start-up`);
  });
  // one reader for the whole run: start-up signals, then `onLine`; it also keeps the pipe from filling up
  void (async () => {
    const reader = proc.stdout.getReader();
    const decoder = new TextDecoder();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      rest += decoder.decode(value, { stream: true });
      const lines = rest.split("\n");
      rest = lines.pop()!;
      for (const text of lines) {
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text);
        } catch {
          continue;
        }
        if (line.event === "server.listening") url = String(line.url);
        if (line.event === "providers.warm") resolveListening();
        if (line.event === "tts.prompts_warm") resolveWarm();
        o.onLine?.(line);
      }
    }
  })();
  await Promise.race([listening, exited]);
  // the greeting is synthesized into the caches right after the warm-up
  await Promise.race([promptsWarm, Bun.sleep(10_000), exited]);
  return {
    url,
    pid: proc.pid,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resident memory (MB) and CPU time (ms, user + system) of a process, from /proc. */
export function procStats(pid: number): { rssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime, stime (fields 14, 15)
  return { rssMb: rssKb / 1024, cpuMs: (ticks * 1000) / 100 };
}
