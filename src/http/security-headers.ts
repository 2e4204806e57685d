/**
 * Response headers that keep the admin app's pages from being framed, sniffed or leaking URLs (a set-password link
 * carries its token in the query string): the SPA's pages get a Content-Security-Policy allowing only this origin's
 * scripts, styles, images, media, workers and connections (WebSockets included); JSON and other answers get a
 * policy that allows nothing at all.
 */
import type { MiddlewareHandler } from "hono";

export const COMMON_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
};

/** For documents that are not the app (JSON, errors, the 404 page): nothing may load, nobody may frame them. */
export const NOTHING_CSP = "default-src 'none'; frame-ancestors 'none'";

/** The admin app: its own bundle only; inline style attributes allowed (charts and components set them). */
export const SPA_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SPA_HEADERS: Record<string, string> = { ...COMMON_HEADERS, "Content-Security-Policy": SPA_CSP };

/**
 * Every answer of the Hono app carries the common headers; documents (HTML, JSON, text) also the allow-nothing
 * policy — media (a call recording opened in a tab) does not, so the browser's player may show it. /api answers are
 * never cached.
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    for (const [k, v] of Object.entries(COMMON_HEADERS)) if (!h.has(k)) h.set(k, v);
    if (/^(text\/|application\/json)/.test(h.get("content-type") ?? "text/") && !h.has("Content-Security-Policy")) h.set("Content-Security-Policy", NOTHING_CSP);
    if (c.req.path.startsWith("/api/") && !h.has("Cache-Control")) h.set("Cache-Control", "no-store");
  };
}
