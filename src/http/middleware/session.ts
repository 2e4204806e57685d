/**
 * Session guard: a valid session JWT from `Authorization: Bearer …` or the `al_session` cookie whose server-side
 * session is live and whose user is active (checked on every request, so logout, a password change or a
 * deactivation take effect at once); `requireRole` narrows it to roles. 401 without a session, 403 with the wrong
 * role. A state-changing request authenticated by the cookie must also come from the app's own origin.
 */
import type { Context, MiddlewareHandler } from "hono";
import { parse } from "hono/utils/cookie";
import type { PublicUser } from "../../crm/users.ts";
import type { Role } from "../../roles.ts";
import { AppError } from "../../errors.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { assertSameOrigin } from "./same-origin.ts";

export const SESSION_COOKIE = "al_session";

/** The session token of a request and how it came: a Bearer header (API clients) or the browser's cookie. */
export function sessionToken(headers: Headers): { token: string; via: "bearer" | "cookie" } | undefined {
  const bearer = headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (bearer) return { token: bearer, via: "bearer" };
  const cookie = parse(headers.get("cookie") ?? "", SESSION_COOKIE)[SESSION_COOKIE];
  return cookie ? { token: cookie, via: "cookie" } : undefined;
}

/**
 * The signed-in user of a request (live server-side session, active user), or undefined. For handlers outside
 * Hono too (e.g. a WebSocket upgrade): `await authenticate(deps, req.headers)`.
 */
export async function authenticate(deps: HttpDeps, headers: Headers): Promise<{ user: PublicUser; sessionId: string; via: "bearer" | "cookie" } | undefined> {
  const found = sessionToken(headers);
  const claims = found && (await deps.tokens.verifySession(found.token));
  const user = claims && deps.services().sessions.userOf(claims.jti, claims.sub);
  return found && claims && user ? { user, sessionId: claims.jti, via: found.via } : undefined;
}

export function requireSession(deps: HttpDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const found = sessionToken(c.req.raw.headers);
    if (!found) throw new AppError("unauthorized", "sign in first (session cookie or Authorization: Bearer)");
    // cookies ride along on cross-site requests; bearer tokens cannot be added by another site
    if (found.via === "cookie") assertSameOrigin(c);
    const session = await authenticate(deps, c.req.raw.headers);
    if (!session) throw new AppError("unauthorized", "session is invalid, expired or signed out");
    c.set("user", session.user);
    c.set("sessionId", session.sessionId);
    await next();
  };
}

export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get("user").role)) throw new AppError("forbidden", `needs role ${roles.join(" or ")}`);
    await next();
  };
}
