/** Logs every request once it is answered: method, path, status, ms and the request id (also sent as X-Request-Id). */
import type { MiddlewareHandler } from "hono";
import { EV, log } from "../../log.ts";

export function requestLog(): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log.info(EV.HTTP_REQUEST, {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      requestId: c.get("requestId"),
    });
  };
}
