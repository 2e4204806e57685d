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

/** Starts `bun src/cli.ts serve` on a free port and waits until its providers and greeting cache are warm. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "al-bench-"));
  const proc = Bun.spawn(["bun", join(ROOT, "src/cli.ts"), "serve"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_FORMAT: "json", LOG_LEVEL: "info", ...env },
    stdout: "pipe",
    stderr: "inherit",
  });
  let url = "";
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("server exited during start-up");
    buffer += decoder.decode(value, { stream: true });
    const m = buffer.match(/"event":"server\.listening","url":"([^"]+)"/);
    if (m) url = m[1]!;
    if (url && buffer.includes('"event":"providers.warm"')) break;
  }
  // keep draining stdout so the child never blocks on a full pipe
  void (async () => {
    while (!(await reader.read()).done);
  })();
  await Bun.sleep(300); // the greeting is synthesized into the cache right after the warm-up
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
