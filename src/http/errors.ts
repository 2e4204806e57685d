/** The one place that turns errors into HTTP responses: `{"error":{"code","message"}}`, never a stack trace. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { Busy } from "../auth/semaphore.ts";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type ErrorCode } from "../errors.ts";
import { EV, log } from "../log.ts";
import { ProviderError } from "../providers/errors.ts";

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  bad_request: 400,
  bad_json: 400,
  validation: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  not_configured: 501,
  gone: 410,
  unavailable: 503,
  upstream: 502,
  internal: 500,
};

export function errorBody(code: ErrorCode, message: string, field?: string) {
  return { error: field ? { code, message, field } : { code, message } };
}

export function errorResponse(c: Context, err: AppError): Response {
  for (const [k, v] of Object.entries(err.headers ?? {})) c.header(k, v);
  return c.json(errorBody(err.code, err.message, err.field), STATUS[err.code]);
}

export function onError(err: Error, c: Context): Response {
  if (err instanceof AppError) return errorResponse(c, err);
  if (err instanceof ProviderError) {
    // a provider outage is not our bug: 502 naming the provider and what happened, logged without a stack
    log.warn(EV.HTTP_UPSTREAM_ERROR, { method: c.req.method, path: c.req.path, provider: err.provider, kind: err.kind, message: err.message });
    return c.json(errorBody("upstream", err.message), 502);
  }
  // the password gate is full (see auth/semaphore.ts): come back in a second
  if (err instanceof Busy) return errorResponse(c, new AppError("rate_limited", "the server is busy checking other passwords; try again in a moment", undefined, { "Retry-After": "1" }));
  if (err instanceof HTTPException && err.status < 500) {
    const code: ErrorCode = err.status === 413 ? "payload_too_large" : err.status === 401 ? "unauthorized" : "bad_request";
    return c.json(errorBody(code, err.message || "bad request"), err.status);
  }
  log.error(EV.HTTP_ERROR, { method: c.req.method, path: c.req.path, requestId: c.get("requestId"), err });
  return c.json(errorBody("internal", "internal server error"), 500);
}

const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>404 Not Found</title></head><body><h1>404 Not Found</h1><p>There is nothing here. The admin app is at <a href="/app">/app</a>.</p></body></html>`;

/** Unknown routes: JSON under /api (and for clients that ask for JSON), a small HTML page elsewhere. */
export function notFound(c: Context): Response {
  const path = c.req.path.slice(0, 200);
  if (c.req.path.startsWith("/api/") || c.req.path === "/api" || /application\/json/.test(c.req.header("accept") ?? ""))
    return c.json(errorBody("not_found", `no route ${c.req.method} ${path}`), 404);
  return c.html(NOT_FOUND_PAGE, 404);
}
