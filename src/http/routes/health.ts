/** /healthz (touches nothing), /readyz (memory only), /version. */
import { Hono } from "hono";
import type { AppEnv, HttpDeps } from "../env.ts";

export function healthRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .get("/healthz", (c) => c.text("ok"))
    .get("/readyz", (c) => c.json(deps.readiness.snapshot()))
    .get("/version", (c) => c.json(deps.version));
}
