/** `agentlocator doctor` against the real server (all pass) and against deployments with one fault each. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { runDoctor } from "../../src/doctor/doctor.ts";
import { startBrokenServer, type Fault } from "../fakes/broken-server.ts";
import { startRig, type Rig } from "../support/call-rig.ts";
import { ROOT } from "../support/server.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

describe("against the real server", () => {
  let rig: Rig;
  const AUTH = "doctor-auth-token";
  beforeAll(async () => {
    rig = await startRig({ env: { TWILIO_AUTH_TOKEN: AUTH } });
  });
  afterAll(() => rig.stop());

  test("every check passes, signed like Twilio; exit 0 and --json for machines", async () => {
    const proc = Bun.spawn(["bun", join(ROOT, "src/cli.ts"), "doctor", rig.server.url, "--auth-token", AUTH, "--json"], { stdout: "pipe", stderr: "pipe" });
    const out = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(0);
    const report = JSON.parse(out) as { ok: boolean; checks: Array<{ id: string; outcome: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.outcome !== "pass")).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(
      expect.arrayContaining(["healthz", "version", "readyz.db", "app", "twiml", "twiml.stream_url", "twiml.connect_action", "twiml.call_sid", "stream_status", "stream_ended", "websocket.subprotocol", "call.greeting", "call.frames", "call.marks"]),
    );
  }, 40_000);

  test("without the auth token the webhook check fails and says why", async () => {
    const results = await runDoctor({ baseUrl: rig.server.url });
    const twiml = results.find((r) => r.id === "twiml")!;
    expect(twiml.outcome).toBe("fail");
    expect(twiml.fix).toContain("--auth-token");
  }, 20_000);
});

describe("against broken deployments, the fault is named", () => {
  const cases: Array<[Fault, string, RegExp]> = [
    ["no-subprotocol", "websocket.subprotocol", /31920/],
    ["healthz-404", "healthz", /does not reach AgentLocator/],
    ["double-slash", "twiml.stream_url", /double slash/],
    ["query-string", "twiml.stream_url", /query string/],
    ["status-200-body", "stream_status", /204/],
    ["silent-socket", "call.greeting", /no audio comes back/],
  ];
  for (const [fault, id, cause] of cases) {
    test(`${fault} → ${id}`, async () => {
      const server = startBrokenServer(fault);
      try {
        const results = await runDoctor({ baseUrl: server.base, greetingTimeoutMs: 1500 });
        const failed = results.filter((r) => r.outcome === "fail");
        expect(failed.map((r) => r.id)).toContain(id);
        expect(failed.find((r) => r.id === id)!.cause).toMatch(cause);
        // the fault is named first: nothing before it in the run failed
        expect(failed[0]!.id).toBe(id);
      } finally {
        server.stop(true);
      }
    }, 20_000);
  }

  test("the healthy stand-in passes (the broken cases differ from it by one fault)", async () => {
    const server = startBrokenServer("none");
    try {
      const results = await runDoctor({ baseUrl: server.base });
      expect(results.filter((r) => r.outcome !== "pass")).toEqual([]);
    } finally {
      server.stop(true);
    }
  }, 20_000);

  test("nothing listening: exit 1 and the cause is the address", async () => {
    const proc = Bun.spawn(["bun", join(ROOT, "src/cli.ts"), "doctor", "http://127.0.0.1:1"], { stdout: "pipe" });
    const out = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(1);
    expect(out).toContain("FAIL  healthz");
    expect(out).toContain("nothing answers at this address");
  }, 20_000);
});
