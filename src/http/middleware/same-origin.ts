/**
 * Cross-site request forgery guard for cookie-authenticated writes: a POST/PUT/PATCH/DELETE that relies on the
 * session cookie must come from the app's own origin — its `Origin` is PUBLIC_BASE_URL's origin or names this
 * request's host, or (no Origin) the browser marks it `Sec-Fetch-Site: same-origin`. Safe methods pass.
 * Hono's csrf middleware checks only form-like content types and every request alike; this one checks every
 * content type, and only requests the cookie authenticates (webhooks and Bearer clients carry no ambient
 * credential, so there is nothing to forge).
 */
import type { Context } from "hono";
import { AppError } from "../../errors.ts";
import { requestHost } from "../client-ip.ts";
import type { AppEnv } from "../env.ts";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * True when `origin` (an Origin header value) is this app: PUBLIC_BASE_URL's origin, or naming `host` (the host the
 * request was sent to). The scheme is not compared with the host: behind a TLS proxy the server sees http while the
 * browser says https. Usable outside Hono (a WebSocket upgrade checks its Origin the same way).
 */
export function isOwnOrigin(origin: string, host: string | undefined, publicBaseUrl?: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage
  }
  if (publicBaseUrl && new URL(publicBaseUrl).origin === parsed.origin) return true;
  return !!host && parsed.host.toLowerCase() === host.toLowerCase();
}

/** Throws 403 when a state-changing request did not come from the app's own pages. */
export function assertSameOrigin(c: Context): void {
  if (SAFE.has(c.req.method)) return;
  const origin = c.req.header("origin");
  if (origin !== undefined) {
    if (isOwnOrigin(origin, requestHost(c), (c as Context<AppEnv>).get("deps")?.config.publicBaseUrl)) return;
    throw new AppError("forbidden", `cross-origin request refused: Origin ${origin.slice(0, 100)} is not this app (behind a proxy set PUBLIC_BASE_URL or TRUST_PROXY_HOPS)`);
  }
  if (c.req.header("sec-fetch-site") === "same-origin") return;
  throw new AppError("forbidden", "cross-origin request refused: a request signed in by cookie must come from the app's own pages (send Origin, or use Authorization: Bearer)");
}
