/**
 * Who is asking, as far as it can be trusted. X-Forwarded-For/-Proto/-Host are written by whoever sends the request,
 * so they count only through TRUST_PROXY_HOPS proxies we know are in front:
 * - 0 (default): the socket peer is the client; the forwarded headers are ignored for addresses and for https.
 * - N: the proxies append the address they saw, so of `X-Forwarded-For: a, b` + the socket peer, the Nth entry from
 *   the right is the client (anything further left was written by the client and may be forged). Replit and most
 *   PaaS routers are one hop: N = 1.
 *
 * @example clientIp(c) // "203.0.113.7"
 */
import type { Context } from "hono";
import type { Server } from "bun";
import { isHostPort } from "../transports/twilio/base-url.ts";
import type { AppEnv } from "./env.ts";

const hopsOf = (c: Context): number => (c as Context<AppEnv>).get("deps")?.config.trustProxyHops ?? 0;

const listOf = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

/** The entry `hops` proxies away from us in a comma-separated forwarded header (the last proxy's is rightmost). */
function trustedEntry(value: string | undefined, hops: number): string | undefined {
  if (hops <= 0) return undefined;
  const list = listOf(value);
  if (!list.length) return undefined;
  return list[Math.max(0, list.length - hops)];
}

function socketAddress(c: Context): string {
  const server = (c.env as { server?: Server<unknown> } | undefined)?.server;
  return server?.requestIP(c.req.raw)?.address ?? "unknown";
}

/** The client's address for rate limits and the audit log (see the module comment for the trust rule). */
export function clientIp(c: Context): string {
  const hops = hopsOf(c);
  const socket = socketAddress(c);
  if (hops <= 0) return socket;
  const chain = [...listOf(c.req.header("x-forwarded-for")), socket];
  return chain[Math.max(0, chain.length - 1 - hops)]!.slice(0, 64);
}

/** The scheme the browser used: X-Forwarded-Proto only through trusted proxies, else the request's own. */
export function requestProto(c: Context): "http" | "https" {
  const forwarded = trustedEntry(c.req.header("x-forwarded-proto"), hopsOf(c))?.toLowerCase();
  if (forwarded === "https" || forwarded === "http") return forwarded;
  return new URL(c.req.url).protocol === "https:" ? "https" : "http";
}

/** The host the browser used: X-Forwarded-Host only through trusted proxies, else Host; malformed values ignored. */
export function requestHost(c: Context): string | undefined {
  const forwarded = trustedEntry(c.req.header("x-forwarded-host"), hopsOf(c));
  if (isHostPort(forwarded)) return forwarded.toLowerCase();
  const host = c.req.header("host");
  return isHostPort(host) ? host.toLowerCase() : undefined;
}

/** True when the admin app is reached over https: PUBLIC_BASE_URL says so, or the (trusted) request does. */
export function isHttps(c: Context): boolean {
  const configured = (c as Context<AppEnv>).get("deps")?.config.publicBaseUrl;
  if (configured?.startsWith("https://")) return true;
  return requestProto(c) === "https";
}
