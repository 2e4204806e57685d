/**
 * GET /api/calls (paged; filter by date, contact, outcome), GET /api/calls/:callSid (turns, events, latency per
 * turn, recording link), GET /api/calls/:callSid/recording (the WAV).
 */
import { Hono } from "hono";
import { z } from "zod";
import { AppError } from "../../errors.ts";
import { validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

const listQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  contactId: z.coerce.number().int().positive().optional(),
  outcome: z.string().max(50).optional(),
});

export function callRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .get("/", (c) => {
      const q = validate(listQuery, c.req.query());
      const result = deps.services().calls.list(q);
      return c.json({ ...result, calls: result.calls.map(({ recordingPath, ...call }) => ({ ...call, hasRecording: Boolean(recordingPath) })) });
    })
    .get("/:callSid", (c) => {
      const callSid = c.req.param("callSid");
      const detail = deps.services().calls.detail(callSid);
      if (!detail) throw new AppError("not_found", `no call ${callSid}`);
      const { recordingPath, ...call } = detail.call;
      return c.json({
        call,
        turns: detail.turns.map((t) => ({ role: t.role, text: t.text, at: t.at, interrupted: t.interrupted, heardMs: t.heardMs, latencyMs: t.latencyMs })),
        events: detail.events.map((e) => ({ event: e.event, at: e.at, value: e.value, data: e.data })),
        recordingUrl: recordingPath ? `/api/calls/${encodeURIComponent(callSid)}/recording` : null,
      });
    })
    .get("/:callSid/recording", async (c) => {
      const call = deps.services().calls.bySid(c.req.param("callSid"));
      const file = call?.recordingPath ? Bun.file(call.recordingPath) : undefined;
      if (!file || !(await file.exists())) throw new AppError("not_found", "no recording for this call");
      // the name is built from a whitelist, so a stored CallSid can never steer the download's file name or header
      const name = `${call!.callSid.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64)}.wav`;
      return new Response(file, { headers: { "content-type": "audio/wav", "content-disposition": `inline; filename="${name}"` } });
    });
}
