/**
 * The public base URL Twilio uses to reach this server: PUBLIC_BASE_URL when set (always right behind a proxy),
 * else rebuilt from X-Forwarded-Proto / X-Forwarded-Host / Host. No trailing slash.
 */
export function publicBaseUrl(configured: string | undefined, req: Request): string {
  if (configured) return configured;
  const url = new URL(req.url);
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() || url.protocol.replace(":", "");
  const host = req.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || req.headers.get("host") || url.host;
  return `${proto}://${host}`;
}

/** ws:// for an http base, wss:// for https; the base's path prefix is kept; never `//` after the scheme. */
export function websocketUrl(base: string, path: string): string {
  const u = new URL(base);
  const scheme = u.protocol === "https:" ? "wss:" : "ws:";
  const prefix = u.pathname.replace(/\/+$/, "");
  return `${scheme}//${u.host}${prefix}/${path.replace(/^\/+/, "")}`;
}
