/**
 * A distributed password-guessing burst against a real server process: 200 different addresses (TRUST_PROXY_HOPS=1)
 * and 200 different accounts, so no address or account limit applies and every request wants an argon2
 * verification (64 MiB each). The password gate runs a few at once, lets a short queue wait, answers 429 to the rest
 * at once — so the burst is over within seconds and the server's peak memory stays flat.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { spawnServer } from "../support/server.ts";

/** VmRSS / VmHWM (peak) of a process, in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+) kB`))![1]) / 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

test.skipIf(process.platform !== "linux")(
  "200 parallel logins from 200 addresses: bounded argon2 work, some 429 busy, done within seconds, memory flat",
  async () => {
    const server = await spawnServer({ env: { TRUST_PROXY_HOPS: "1", ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" } });
    try {
      // warm: one real login so the allocator has already served one verification
      const warm = await fetch(`${server.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.1" },
        body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }),
      });
      expect(warm.status).toBe(200);
      const before = memoryOf(server.proc.pid);
      const t0 = performance.now();
      const results = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          const res = await fetch(`${server.url}/api/auth/login`, {
            method: "POST",
            headers: { "content-type": "application/json", "x-forwarded-for": `10.1.${i >> 8}.${i & 255}` },
            body: JSON.stringify({ email: `user${i}@example.com`, password: "guess" }),
          });
          return { status: res.status, body: await res.text(), ms: performance.now() - t0 };
        }),
      );
      const after = memoryOf(server.proc.pid);
      const busy = results.filter((r) => r.status === 429);
      const checked = results.filter((r) => r.status === 401);
      expect(busy.length + checked.length).toBe(200);
      expect(busy.length).toBeGreaterThan(100); // a few run, 16 wait, the rest are told to come back
      expect(busy[0]!.body).toContain("busy");
      // nobody waits longer than the queue's 3 s plus one verification
      expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(6000);
      // 200 verifications at once would take 200 × 64 MiB = 12.5 GiB; the peak grows by a few at most
      expect(after.peak - Math.max(before.peak, before.rss)).toBeLessThan(6 * 64);
    } finally {
      server.proc.kill("SIGTERM");
      await server.exited;
    }
  },
  30_000,
);
