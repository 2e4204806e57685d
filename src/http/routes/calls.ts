/**
 * GET /api/calls (paged; filter by date, contact, outcome, test calls), GET /api/calls/:callSid (turns, events,
 * latency per turn, recording link), GET /api/calls/:callSid/recording (the WAV), and GET /api/calls.csv (the
 * list as a CSV download). An agent sees only the calls of contacts assigned to them; any other answers 404.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { callsCsv } from "../../crm/call-csv.ts";
import type { CallRow } from "../../crm/call-records.ts";
import { csvHeaders } from "../../crm/csv.ts";
import { AppError } from "../../errors.ts";
import { audit, scopeOf } from "../actor.ts";
import { validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

const filterQuery = z.object({
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  contactId: z.coerce.number().int().positive().optional(),
  outcome: z.string().max(50).optional(),
  /** true: only test calls from the admin app; false: only real ones. */
  isTest: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
});
const listQuery = filterQuery.extend({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function callRoutes(deps: HttpDeps) {
  /** The call when the user may see it; 404 otherwise, whether or not it exists. */
  const visibleCall = (c: Context<AppEnv>): CallRow => {
    const callSid = c.req.param("callSid") ?? "";
    const calls = deps.services().calls;
    const call = calls.bySid(callSid);
    if (!call || !calls.visibleTo(call, scopeOf(c))) throw new AppError("not_found", `no call ${callSid}`);
    return call;
  };
  return new Hono<AppEnv>()
    .get("/", (c) => {
      const q = validate(listQuery, c.req.query());
      const result = deps.services().calls.list({ ...q, scope: scopeOf(c) });
      return c.json({ ...result, calls: result.calls.map(({ recordingPath, ...call }) => ({ ...call, hasRecording: Boolean(recordingPath) })) });
    })
    .get("/:callSid", (c) => {
      const callSid = visibleCall(c).callSid;
      const detail = deps.services().calls.detail(callSid)!;
      const { recordingPath, ...call } = detail.call;
      return c.json({
        call,
        turns: detail.turns.map((t) => ({ role: t.role, text: t.text, at: t.at, interrupted: t.interrupted, heardMs: t.heardMs, latencyMs: t.latencyMs })),
        events: detail.events.map((e) => ({ event: e.event, at: e.at, value: e.value, data: e.data })),
        recordingUrl: recordingPath ? `/api/calls/${encodeURIComponent(callSid)}/recording` : null,
      });
    })
    .get("/:callSid/recording", async (c) => {
      const call = visibleCall(c);
      const file = call.recordingPath ? Bun.file(call.recordingPath) : undefined;
      if (!file || !(await file.exists())) throw new AppError("not_found", "no recording for this call");
      // the name is built from a whitelist, so a stored CallSid can never steer the download's file name or header
      const name = `${call.callSid.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64)}.wav`;
      return new Response(file, { headers: { "content-type": "audio/wav", "content-disposition": `inline; filename="${name}"` } });
    });
}

/** GET /api/calls.csv (mounted at /api): the calls list with the same filters, UTF-8 with BOM. */
export function callExportRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>().get("/calls.csv", (c) => {
    const q = validate(filterQuery, c.req.query());
    const { calls, contacts, settings } = deps.services();
    audit(c, deps, "call.export", undefined, { filter: c.req.query() });
    return c.body(callsCsv(calls, contacts, { ...q, scope: scopeOf(c) }, settings.timezone()), 200, csvHeaders(`calls-${new Date().toISOString().slice(0, 10)}.csv`));
  });
}
