/**
 * GET /api/stats/overview?days=14&tz=Asia/Jerusalem&includeTests=false — the admin app's overview: today's calls,
 * answered and missed calls (with the latest missed ones), new leads, tasks open/overdue/due today, reply latency
 * p50/p95 per local day and calls per local hour. Counted within the asker's scope: an agent's numbers cover the
 * contacts assigned to them (see crm/stats.ts for what "missed" means).
 */
import { Hono } from "hono";
import { statsQuerySchema } from "../../crm/stats.ts";
import { scopeOf } from "../actor.ts";
import { validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

export function statsRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>().get("/overview", (c) => c.json(deps.services().stats.overview(validate(statsQuerySchema, c.req.query()), scopeOf(c))));
}
