/** The worker's refusals as the API reports them, and the disabled stand-in. */
import { expect, test } from "bun:test";
import { AppError } from "../../../src/errors.ts";
import { Readiness } from "../../../src/readiness.ts";
import { disabledWhatsapp, mapWorkerError } from "../../../src/whatsapp/control.ts";
import { WorkerRequestError } from "../../../src/whatsapp/worker-client.ts";

test("a number WhatsApp does not know is the caller's 422 on `to`; a worker that is gone or slow is a 503", () => {
  expect(mapWorkerError(new WorkerRequestError("not_on_whatsapp", "972500000000 is not on WhatsApp"))).toMatchObject({ code: "validation", field: "to" });
  expect(mapWorkerError(new WorkerRequestError("registered", "already linked"))).toMatchObject({ code: "conflict" });
  for (const code of ["not_connected", "timeout", "gone", "failed"] as const) expect(mapWorkerError(new WorkerRequestError(code, "x")).code).toBe("unavailable");
  const own = new AppError("rate_limited", "slow down");
  expect(mapWorkerError(own)).toBe(own);
  expect(mapWorkerError(new Error("boom"))).toMatchObject({ code: "unavailable", message: "WhatsApp: boom" });
});

test("with WHATSAPP_ENABLED off the state is disabled, readiness ok, and every action names the variable", async () => {
  const readiness = new Readiness();
  const off = disabledWhatsapp(readiness);
  expect(off.status()).toMatchObject({ state: "disabled", reason: "WHATSAPP_ENABLED=false" });
  expect(readiness.snapshot()).toMatchObject({ whatsapp: "ok", details: { whatsapp: "disabled: WHATSAPP_ENABLED=false" } });
  for (const action of [() => off.pair("+972501234567"), () => off.logout(), () => off.connect()]) await expect(action()).rejects.toMatchObject({ code: "not_configured", message: expect.stringContaining("WHATSAPP_ENABLED=true") });
});
