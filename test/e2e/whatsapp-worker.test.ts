/**
 * The real Baileys worker against a local WebSocket standing in for WhatsApp (WHATSAPP_WS_URL): Baileys connects
 * under Bun, the close is read by code, reconnects follow the backoff, faults cannot be injected in production,
 * a silent socket is caught by the watchdog, and one DATA_DIR never gets two sessions.
 */
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import type { StartOptions } from "../../src/main.ts";
import { WhatsappSupervisor } from "../../src/whatsapp/supervisor.ts";
import { FakeWhatsappServer } from "../fakes/whatsapp-ws.ts";
import { join } from "node:path";
import { logLines, ROOT, startInProcess, tempDir } from "../support/server.ts";
import { until } from "../support/wait.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const quiet = { printQr: () => {} };

async function serverWith(wa: FakeWhatsappServer, whatsapp: StartOptions["whatsapp"] = {}) {
  const server = await startInProcess({ WHATSAPP_ENABLED: "true", WHATSAPP_WS_URL: wa.url, ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" }, { whatsapp: { ...quiet, ...whatsapp } });
  cleanups.push(() => server.stop(2000));
  return server;
}

test("real time: Baileys connects to the local WebSocket under Bun, reads the close as 428, and retries about 1 s later", async () => {
  const wa = new FakeWhatsappServer("close").start();
  cleanups.push(() => wa.stop());
  const server = await serverWith(wa, { timings: { pairWaitMs: 1500 } });
  await wa.until(() => wa.attempts.length >= 2, 20_000, "two connection attempts");
  // the handshake came from Baileys (WhatsApp Web's origin) through Bun's ws
  expect(wa.attempts[0]!.origin).toBe("https://web.whatsapp.com");
  const gap = wa.attempts[1]!.at - wa.attempts[0]!.at;
  expect(gap).toBeGreaterThanOrEqual(800);
  expect(gap).toBeLessThan(1500);
  expect(logLines.find((l) => l.event === "whatsapp.disconnected")).toMatchObject({ code: 428, reason: "Connection Terminated", intentional: false });
  expect(logLines.some((l) => String(l.msg ?? "").includes("Unexpected server response"))).toBe(false);

  const ready = (await (await fetch(`${server.url}/readyz`)).json()) as any;
  expect(["err", "pending"]).toContain(ready.whatsapp);
  expect(ready.details.whatsapp).toMatch(/^(err|starting): /);
  const token = ((await (await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }) })).json()) as any).token;
  const status = (await (await fetch(`${server.url}/api/whatsapp/status`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
  expect(["err", "starting"]).toContain(status.state);
  expect(status).toMatchObject({ channels: { baileys: true, twilio: false }, workerRestarts: 0 });

  // production cannot inject faults: the worker refuses and keeps running
  await expect(server.whatsapp!.fault("exit")).rejects.toThrow(/fault injection is off/);
  expect(server.whatsapp!.status().workerRestarts).toBe(0);

  // pairing needs a QR, which this stand-in never offers: a clear 503, no hang
  const pair = await fetch(`${server.url}/api/whatsapp/pair`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ phone: "050-123-4567" }) });
  expect(pair.status).toBe(503);
  expect(((await pair.json()) as any).error.message).toContain("did not get ready for pairing");
  const badPhone = await fetch(`${server.url}/api/whatsapp/pair`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ phone: "hello" }) });
  expect(badPhone.status).toBe(422);

  // linked-phone sending needs a connected phone; with no Twilio either, the 503 names both ways out
  const send = await fetch(`${server.url}/api/whatsapp/send`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ to: "+972501234567", text: "hi" }) });
  expect(send.status).toBe(503);
  const why = ((await send.json()) as any).error.message as string;
  expect(why).toContain("not connected");
  expect(why).toContain("TWILIO_WHATSAPP_FROM");

  // stopping closes the socket and schedules nothing more
  await server.stop(2000);
  await wa.until(() => wa.open === 0, 5000, "the socket to close");
}, 60_000);

test("a minute of reconnects, scaled by 1/10: each attempt waits the doubled backoff (±20 % jitter), never sooner", async () => {
  const wa = new FakeWhatsappServer("close").start();
  cleanups.push(() => wa.stop());
  // production: 1 s base, 5 min cap; here 100 ms base so 60 s of policy take 6 s
  await serverWith(wa, { policy: { backoff: { baseMs: 100, capMs: 30_000, jitter: 0.2 } } });
  await wa.until(() => wa.attempts.length >= 7, 30_000, "seven attempts");
  const gaps = wa.attempts.slice(1, 7).map((a, i) => a.at - wa.attempts[i]!.at);
  gaps.forEach((gap, n) => {
    const nominal = 100 * 2 ** n;
    expect(gap).toBeGreaterThanOrEqual(nominal * 0.8);
    // + the time Baileys takes to open and lose a socket (tens of ms; more on a loaded machine)
    expect(gap).toBeLessThan(nominal * 1.2 + 300);
  });
  expect(wa.attempts.at(-1)!.at - wa.attempts[0]!.at).toBeLessThan(6_300 * 1.2 + 2000);
  expect(wa.maxOpen).toBe(1);
}, 60_000);

test("a socket that never answers is caught by the watchdog: the worker is replaced, never a second socket", async () => {
  const wa = new FakeWhatsappServer("silent").start();
  cleanups.push(() => wa.stop());
  const server = await serverWith(wa, {
    connectTimeoutMs: 120_000, // Baileys would wait this long by itself
    timings: { connectWatchdogMs: 800, restart: { baseMs: 200, capMs: 2000, jitter: 0.2 } },
  });
  await wa.until(() => wa.attempts.length >= 2, 20_000, "a second connection after the watchdog");
  expect(server.whatsapp!.status().workerRestarts).toBeGreaterThanOrEqual(1);
  expect(logLines.some((l) => l.event === "whatsapp.worker_crashed" && String(l.killed).includes("no answer from WhatsApp"))).toBe(true);
  // the old socket was gone before the new one opened
  expect(wa.maxOpen).toBe(1);
  expect(wa.attempts[0]!.closedAt).toBeLessThanOrEqual(wa.attempts[1]!.at);
}, 60_000);

test("one DATA_DIR, one session: a second supervisor on the same folder cannot open it, and never connects", async () => {
  const wa = new FakeWhatsappServer("silent").start();
  cleanups.push(() => wa.stop());
  const server = await serverWith(wa);
  await wa.until(() => wa.attempts.length >= 1, 20_000, "the first socket");
  const second = new WhatsappSupervisor({
    dataDir: server.dataDir,
    wsUrl: wa.url,
    ...quiet,
    timings: { restart: { baseMs: 5_000, capMs: 5_000, jitter: 0 } },
    sink: { message() {}, receipts() {}, lid() {} },
  });
  cleanups.push(() => second.stop());
  second.start();
  await until(() => second.status().state === "err", 20_000, "the second supervisor to give up");
  expect(second.status().reason).toMatch(/did not start: .*(locked|busy)/i);
  expect(wa.attempts.length).toBe(1);
}, 60_000);

test("in production an unhandled rejection inside the worker is logged and the worker goes on (plain bun, not bun test)", async () => {
  const wa = new FakeWhatsappServer("silent").start();
  cleanups.push(() => wa.stop());
  const probe = Bun.spawn(["bun", join(ROOT, "test/support/whatsapp-reject-probe.ts"), tempDir(), wa.url], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(probe.stdout).text(), probe.exited]);
  expect(code).toBe(0);
  expect(JSON.parse(out.trim().split("\n").at(-1)!)).toEqual({ logged: 3, restarts: 0, crashed: false });
  expect(wa.attempts.length).toBe(1);
}, 60_000);

test("each close code through the real worker and Baileys' close path: 515 at once, 405 refreshes the version first, 440 stops after 3, 401 wipes, 403 stops", async () => {
  const wa = new FakeWhatsappServer("silent").start();
  cleanups.push(() => wa.stop());
  const server = await serverWith(wa, { faults: true, policy: { backoff: { baseMs: 100, capMs: 1000, jitter: 0.2 }, replacedFloorMs: 150 } });
  const sup = server.whatsapp!;
  const socket = (n: number, what: string) => wa.until(() => wa.attempts.length >= n && wa.open === 1, 15_000, what);
  const closedBy = async (code: number) => {
    const seen = logLines.filter((l) => l.event === "whatsapp.disconnected").length;
    await sup.fault("close", code);
    await until(() => logLines.filter((l) => l.event === "whatsapp.disconnected").length > seen, 5000, `the ${code} close`);
    expect(logLines.filter((l) => l.event === "whatsapp.disconnected").at(-1)).toMatchObject({ code, intentional: false });
  };
  await socket(1, "the first socket");

  await closedBy(515);
  await socket(2, "the reconnect after 515");
  expect(wa.attempts[1]!.at - wa.attempts[0]!.closedAt!).toBeLessThan(500);

  await closedBy(405);
  await socket(3, "the reconnect after 405");
  // the version refresh was asked for (and answered, here without internet: the bundled version stays) before it
  expect(logLines.some((l) => l.event === "whatsapp.version_refresh")).toBe(true);

  await closedBy(440);
  await socket(4, "the first reconnect after 440");
  expect(wa.attempts[3]!.at - wa.attempts[2]!.closedAt!).toBeGreaterThanOrEqual(150 * 0.95);
  await closedBy(440);
  await socket(5, "the second reconnect after 440");
  expect(wa.attempts[4]!.at - wa.attempts[3]!.closedAt!).toBeGreaterThanOrEqual(300 * 0.95);
  await closedBy(440);
  await until(() => sup.status().state === "err" && sup.status().reason.includes("replaced this one 3 times"), 5000, "the stop after three 440s");
  expect(sup.status().nextAttemptAt).toBeUndefined();
  expect(wa.open).toBe(0);

  // the owner's Connect forgets all that
  await sup.connect();
  await socket(6, "the socket after Connect");

  await closedBy(401);
  await until(() => sup.status().reason.includes("logged this device out"), 5000, "the 401 handling");
  // a session that was never linked is not reconnected after a 401 (that could loop): it waits for the owner
  expect(sup.status()).toMatchObject({ state: "err" });
  expect(sup.status().nextAttemptAt).toBeUndefined();
  // and the worker wiped the session without complaint (it refuses while a socket is open)
  await expect(sup.fault("close", 0).then(() => "alive")).resolves.toBe("alive"); // no socket: a no-op answered
  expect(logLines.some((l) => l.event === "whatsapp.event_failed" && l.what === "wipe")).toBe(false);

  await sup.connect();
  await socket(7, "the socket after Connect again");
  await closedBy(403);
  await until(() => sup.status().reason.includes("403"), 5000, "the 403 stop");
  expect(sup.status().nextAttemptAt).toBeUndefined();
  expect(wa.attempts.length).toBe(7);
  expect(wa.maxOpen).toBe(1);
  expect(sup.status().workerRestarts).toBe(0);
}, 90_000);
