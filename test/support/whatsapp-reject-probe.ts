/**
 * Run with plain `bun` (not `bun test`, whose workers treat any unhandled rejection as fatal): a supervisor with
 * fault injection on makes its worker reject a promise with nobody listening, and prints one JSON line saying
 * whether the worker logged it and kept running. Usage: bun whatsapp-reject-probe.ts DATA_DIR WS_URL
 */
import { configureLog } from "../../src/log.ts";
import { WhatsappSupervisor } from "../../src/whatsapp/supervisor.ts";
import { until } from "./wait.ts";

const [dataDir, wsUrl] = process.argv.slice(2);
const lines: Array<Record<string, unknown>> = [];
configureLog({ format: "json", level: "debug", write: (l) => lines.push(JSON.parse(l)) });
const s = new WhatsappSupervisor({ dataDir: dataDir!, wsUrl, faults: true, printQr: () => {}, sink: { message() {}, receipts() {}, lid() {} } });
s.start();
await until(() => lines.some((l) => l.event === "whatsapp.connecting"), 20_000, "the worker's socket");
await s.fault("reject");
await s.fault("reject");
await until(() => lines.filter((l) => l.event === "whatsapp.worker_rejection").length >= 2, 5000, "both rejections logged");
// the worker still answers, and never ended
await s.fault("reject");
await until(() => lines.filter((l) => l.event === "whatsapp.worker_rejection").length >= 3, 5000, "the third rejection logged");
console.log(JSON.stringify({ logged: lines.filter((l) => l.event === "whatsapp.worker_rejection").length, restarts: s.status().workerRestarts, crashed: lines.some((l) => l.event === "whatsapp.worker_crashed") }));
await s.stop();
process.exit(0);
