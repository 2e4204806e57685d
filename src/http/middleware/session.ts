/**
 * Session guard: a valid session JWT from `Authorization: Bearer …` or the `al_session` cookie, for a user who
 * still exists; `requireRole` narrows it to roles. 401 without a session, 403 with the wrong role.
 */
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Role } from "../../roles.ts";
import { AppError } from "../../errors.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

export const SESSION_COOKIE = "al_session";

export function requireSession(deps: HttpDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const token = header?.match(/^Bearer\s+(.+)$/i)?.[1] ?? getCookie(c, SESSION_COOKIE);
    if (!token) throw new AppError("unauthorized", "sign in first (session cookie or Authorization: Bearer)");
    const claims = await deps.tokens.verify(token, "session");
    const user = typeof claims?.sub === "number" ? deps.services().users.byId(claims.sub) : undefined;
    if (!user) throw new AppError("unauthorized", "session is invalid or expired");
    c.set("user", user);
    await next();
  };
}

export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get("user").role)) throw new AppError("forbidden", `needs role ${roles.join(" or ")}`);
    await next();
  };
}
