/**
 * Contact CSV import benchmark (`bun scripts/bench/csv-import.ts`): a file of 2,000 and of 20,000 new contacts
 * (Hebrew names, phones, emails, tags), and the 20,000 again (every row an update of an existing contact), imported
 * into a fresh database with the production code (ContactService.importCsv). Meanwhile a 1 ms timer measures the
 * event loop: the longest gap between two of its runs is the longest the server could not answer anything (a live
 * call's audio, /healthz). Target: no stall over ~50 ms.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContactService } from "../../src/crm/contacts.ts";
import { migrate, openDatabase } from "../../src/db/client.ts";
import { printTable } from "./table.ts";

const dir = mkdtempSync(join(tmpdir(), "csv-import-bench-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function file(rows: number): Uint8Array {
  const lines = ["name,phone,email,tags,notes"];
  for (let i = 0; i < rows; i++) lines.push(`לקוח ${i},05${String(20_000_000 + i).padStart(8, "0")},c${i}@example.com,"a, b",הערה ${i}`);
  return new TextEncoder().encode(lines.join("\n"));
}

/** Runs `work` while a 1 ms timer records the longest gap between its runs (ms). */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; maxStall: number }> {
  let last = performance.now();
  let maxStall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxStall = Math.max(maxStall, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  const result = await work();
  const ms = performance.now() - t0;
  clearInterval(timer);
  maxStall = Math.max(maxStall, performance.now() - last);
  return { result, ms, maxStall };
}

const rows: Array<Record<string, string | number>> = [];
for (const [n, label] of [
  [2_000, "2,000 new"],
  [20_000, "20,000 new"],
  [20_000, "20,000 updates"],
] as const) {
  const db = openDatabase(join(dir, `${label.replace(/\W/g, "")}.db`));
  migrate(db);
  db.$client.run("INSERT INTO users (id, email, password_hash, role) VALUES (1, 'owner@example.com', 'x', 'owner')");
  const contacts = new ContactService(db);
  const bytes = file(n);
  if (label.includes("updates")) await contacts.importCsv(bytes, { onDuplicate: "update", dryRun: false, actor: { userId: 1, role: "owner" } });
  const { result, ms, maxStall } = await measured(() => contacts.importCsv(bytes, { onDuplicate: "update", dryRun: false, actor: { userId: 1, role: "owner" } }));
  rows.push({ rows: label, "file KB": Math.round(bytes.length / 1024), "total ms": Math.round(ms), "ms/row": ms / n, "max stall ms": maxStall, created: result.created, updated: result.updated, failed: result.failed });
  db.$client.close();
}
printTable("Contact CSV import (event loop measured by a 1 ms timer)", rows);
