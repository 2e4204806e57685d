/**
 * The caller's IP for rate limiting and the audit log. Behind a reverse proxy (Replit, a load balancer) the socket
 * peer is the proxy, so the last X-Forwarded-For entry — the one the nearest proxy appended, which a client cannot
 * forge — is used when present.
 */
import type { Context } from "hono";
import type { Server } from "bun";

export function clientIp(c: Context): string {
  const xff = c.req.header("x-forwarded-for");
  if (xff) {
    const last = xff.split(",").pop()?.trim();
    if (last) return last;
  }
  const server = (c.env as { server?: Server<unknown> } | undefined)?.server;
  return server?.requestIP(c.req.raw)?.address ?? "unknown";
}
