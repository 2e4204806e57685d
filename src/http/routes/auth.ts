/**
 * POST /api/auth/login, POST /api/auth/logout, GET /api/auth/me, and POST /api/auth/setup (first admin from the
 * one-time link printed at start; refused once any user exists).
 */
import { Hono, type Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { SESSION_TTL_S } from "../../auth/tokens.ts";
import type { PublicUser } from "../../crm/users.ts";
import { AppError } from "../../errors.ts";
import { EV, log } from "../../log.ts";
import { readJson } from "../body.ts";
import { clientIp } from "../client-ip.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { requireSession, SESSION_COOKIE } from "../middleware/session.ts";

const loginBody = z.object({ email: z.string().trim().min(1, "is required"), password: z.string().min(1, "is required") });
const setupBody = z.object({
  token: z.string().min(1, "is required"),
  email: z.email("must be an email address"),
  password: z.string().min(8, "must be at least 8 characters"),
  name: z.string().trim().max(120).optional(),
});

async function startSession(c: Context<AppEnv>, deps: HttpDeps, user: PublicUser) {
  const token = await deps.tokens.session(user.id, user.role);
  const secure = new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure, path: "/", maxAge: SESSION_TTL_S });
  return c.json({ token, user });
}

export function authRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .post("/login", async (c) => {
      const ip = clientIp(c);
      const wait = deps.loginLimiter.retryAfterS(ip);
      if (wait > 0) {
        log.warn(EV.AUTH_RATE_LIMITED, { ip });
        throw new AppError("rate_limited", `too many failed logins; try again in ${wait} s`, undefined, { "Retry-After": String(wait) });
      }
      const body = await readJson(c, loginBody);
      const { users, audit } = deps.services();
      const user = await users.verify(body.email, body.password);
      if (!user) {
        deps.loginLimiter.fail(ip);
        log.warn(EV.AUTH_LOGIN_FAILED, { ip });
        throw new AppError("unauthorized", "wrong email or password");
      }
      deps.loginLimiter.reset(ip);
      audit.record("auth.login", { actorId: user.id, ip });
      log.info(EV.AUTH_LOGIN, { userId: user.id, ip });
      return startSession(c, deps, user);
    })
    .post("/setup", async (c) => {
      const body = await readJson(c, setupBody);
      if (!(await deps.tokens.verify(body.token, "setup"))) throw new AppError("unauthorized", "setup link is invalid or expired", "token");
      const { users, audit } = deps.services();
      if (users.count() > 0) throw new AppError("conflict", "an admin already exists; sign in instead");
      const user = await users.create({ email: body.email, password: body.password, name: body.name, role: "owner" });
      audit.record("admin.setup", { actorId: user.id, ip: clientIp(c) });
      log.info(EV.ADMIN_CREATED, { userId: user.id, via: "setup" });
      return startSession(c, deps, user);
    })
    .post("/logout", (c) => {
      deleteCookie(c, SESSION_COOKIE, { path: "/" });
      return c.body(null, 204);
    })
    .get("/me", requireSession(deps), (c) => c.json({ user: c.get("user") }));
}
