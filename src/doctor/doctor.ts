/**
 * `agentlocator doctor <BASE_URL>`: runs every check against a live deployment and reports a table (or JSON).
 * Exit code 0 when nothing failed (warnings allowed), 1 otherwise.
 */
import { SimulatedCaller } from "../sim/caller.ts";
import { CHECKS, type CheckResult } from "./checks.ts";

export interface DoctorOptions {
  baseUrl: string;
  authToken?: string;
  greetingTimeoutMs?: number;
}

export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const base = o.baseUrl.replace(/\/+$/, "");
  const caller = new SimulatedCaller({ baseUrl: base, authToken: o.authToken, callSid: `CAdoctor${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`, from: "+15005550006" });
  const ctx = { base, greetingTimeoutMs: o.greetingTimeoutMs ?? 3000, caller };
  const results: CheckResult[] = [];
  try {
    for (const check of CHECKS) {
      const t0 = performance.now();
      let verdicts;
      try {
        verdicts = await check.run(ctx);
      } catch (err) {
        verdicts = { outcome: "fail" as const, detail: String(err), cause: "the check itself crashed", fix: "report this" };
      }
      const ms = Math.round(performance.now() - t0);
      const list = Array.isArray(verdicts) ? verdicts : [verdicts];
      list.forEach((v, i) => {
        const sub = list.length > 1 ? v.detail.split(":")[0] : undefined;
        results.push({ id: sub ? `${check.id}.${sub}` : check.id, title: sub ? `${check.title} (${sub})` : check.title, ms: i === 0 ? ms : 0, ...v });
      });
    }
  } finally {
    await caller.hangup().catch(() => {});
  }
  return results;
}

export const doctorExitCode = (results: CheckResult[]) => (results.some((r) => r.outcome === "fail") ? 1 : 0);

export function formatDoctor(results: CheckResult[]): string {
  const mark = { pass: "ok  ", warn: "WARN", fail: "FAIL" } as const;
  const idWidth = Math.max(...results.map((r) => r.id.length));
  const lines = results.map((r) => {
    const head = `${mark[r.outcome]}  ${r.id.padEnd(idWidth)}  ${String(r.ms).padStart(5)} ms  ${r.detail}`;
    return r.outcome === "pass" ? head : `${head}\n${" ".repeat(idWidth + 17)}cause: ${r.cause ?? "-"}\n${" ".repeat(idWidth + 17)}fix:   ${r.fix ?? "-"}`;
  });
  const failed = results.filter((r) => r.outcome === "fail").length;
  const warned = results.filter((r) => r.outcome === "warn").length;
  lines.push("", failed ? `${failed} check(s) failed, ${warned} warning(s)` : `all ${results.length} checks passed${warned ? ` (${warned} warning(s))` : ""}`);
  return lines.join("\n");
}
