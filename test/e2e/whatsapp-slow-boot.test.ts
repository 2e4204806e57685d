/**
 * A worker slow to load is not taken for a hung one: pings start once it has answered init, so on a machine where
 * loading Baileys takes longer than the ping timeout the worker still starts instead of being restarted forever.
 */
import { afterEach, expect, test } from "bun:test";
import { configureLog } from "../../src/log.ts";
import { WhatsappSupervisor } from "../../src/whatsapp/supervisor.ts";
import { until } from "../support/wait.ts";

const lines: Array<Record<string, unknown>> = [];
let sup: WhatsappSupervisor | undefined;
afterEach(async () => {
  await sup?.stop();
});

test("a worker busy loading for 1.5 s with a 300 ms ping timeout starts once and shows its QR", async () => {
  configureLog({ write: (line) => lines.push(JSON.parse(line)) });
  sup = new WhatsappSupervisor({
    dataDir: "/nonexistent-unused",
    workerUrl: new URL("../fakes/whatsapp-worker-slow-boot.ts", import.meta.url).href,
    timings: { pingIntervalMs: 100, pingTimeoutMs: 300, restart: { baseMs: 100, capMs: 500, jitter: 0 } },
    sink: { message() {}, receipts() {}, lid() {} },
    printQr: () => {},
  });
  sup.start();
  await until(() => sup!.status().state === "qr", 10_000, "the slow worker's QR");
  // pinged every 100 ms once booted, and it answers: still the first worker a second later
  await Bun.sleep(1000);
  expect(sup.status().workerRestarts).toBe(0);
  expect(sup.status().state).toBe("qr");
  expect(lines.some((l) => l.event === "whatsapp.worker_hung")).toBe(false);
  expect(lines.some((l) => l.event === "whatsapp.worker_started")).toBe(true);
}, 15_000);
