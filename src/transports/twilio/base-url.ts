/**
 * The public base URL Twilio uses to reach this server: PUBLIC_BASE_URL when set (always right behind a proxy),
 * else rebuilt from X-Forwarded-Proto / X-Forwarded-Host / Host. No trailing slash. A malformed forwarded value
 * (not http/https, not a host[:port]) is ignored rather than put into a URL.
 */
export function publicBaseUrl(configured: string | undefined, req: Request): string {
  if (configured) return configured;
  const url = new URL(req.url);
  const forwardedProto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  const proto = forwardedProto === "https" || forwardedProto === "http" ? forwardedProto : url.protocol.replace(":", "");
  const host = [req.headers.get("x-forwarded-host")?.split(",")[0]?.trim(), req.headers.get("host")?.trim()].find(isHostPort) ?? url.host;
  return `${proto}://${host}`;
}

/** host[:port] — a DNS name, IPv4 or [IPv6] — and nothing else (no path, userinfo, spaces). */
const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export const isHostPort = (h: string | null | undefined): h is string => !!h && h.length <= 255 && HOST_PORT.test(h);

/** ws:// for an http base, wss:// for https; the base's path prefix is kept; never `//` after the scheme. */
export function websocketUrl(base: string, path: string): string {
  const u = new URL(base);
  const scheme = u.protocol === "https:" ? "wss:" : "ws:";
  const prefix = u.pathname.replace(/\/+$/, "");
  return `${scheme}//${u.host}${prefix}/${path.replace(/^\/+/, "")}`;
}
