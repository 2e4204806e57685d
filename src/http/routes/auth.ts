/**
 * Signing in and out:
 * - POST /api/auth/login, POST /api/auth/logout (revokes the session server-side), GET /api/auth/me;
 * - POST /api/auth/setup: the first owner, from the one-time link printed at start (refused once any user exists);
 * - POST /api/auth/set-password/check and POST /api/auth/set-password: an invitation or reset link's token → who it
 *   is for / set the password and sign in (the link works once);
 * - POST /api/auth/password: change one's own password (signs out the user's other sessions);
 * - GET /api/auth/session: `{user}` or `{user:null}`, always 200 — how the admin app learns whether it is signed in
 *   without a failed request in the browser's console.
 * Password checks count against the login limits before they run (and wait for the password gate in UserService).
 */
import { Hono, type Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { SESSION_TTL_S } from "../../auth/tokens.ts";
import type { PublicUser } from "../../crm/users.ts";
import { AppError } from "../../errors.ts";
import { EV, log } from "../../log.ts";
import { readJson } from "../body.ts";
import { clientIp, isHttps } from "../client-ip.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { assertSameOrigin } from "../middleware/same-origin.ts";
import { authenticate, requireSession, SESSION_COOKIE, sessionToken } from "../middleware/session.ts";

const password = z.string().min(8, "must be at least 8 characters").max(256, "must be at most 256 characters");
const loginBody = z.object({ email: z.string().trim().min(1, "is required").max(254), password: z.string().min(1, "is required").max(256) });
const setupBody = z.object({ token: z.string().min(1, "is required"), email: z.email("must be an email address"), password, name: z.string().trim().max(120).optional() });
const linkBody = z.object({ token: z.string().min(1, "is required").max(2000) });
const setPasswordBody = linkBody.extend({ password });
const changeBody = z.object({ currentPassword: z.string().min(1, "is required").max(256), newPassword: password });

/** Opens a server-side session and answers `{token, user}` with the httpOnly cookie (Secure over https). */
export async function startSession(c: Context<AppEnv>, deps: HttpDeps, user: PublicUser) {
  const expiresAt = new Date(Date.now() + SESSION_TTL_S * 1000);
  const jti = deps.services().sessions.open(user.id, expiresAt, { ip: clientIp(c), userAgent: c.req.header("user-agent") });
  const { token } = await deps.tokens.session(user.id, user.role, jti);
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure: isHttps(c), path: "/", maxAge: SESSION_TTL_S });
  return c.json({ token, user });
}

/** The user a set-password link is for, while the link is valid, unused and the user active; else 401. */
async function linkUser(deps: HttpDeps, token: string): Promise<{ user: PublicUser; fp: string; exp: number }> {
  const claims = await deps.tokens.verifySetPassword(token);
  const { users } = deps.services();
  const user = claims && users.byId(claims.sub);
  if (!claims || !user || !user.active || users.passwordFingerprint(user.id) !== claims.fp)
    throw new AppError("unauthorized", "this link is invalid, expired or already used; ask for a new one", "token");
  return { user, fp: claims.fp, exp: claims.exp };
}

export function authRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .post("/login", async (c) => {
      const body = await readJson(c, loginBody);
      await deps.envOwner?.(); // a login in the first milliseconds after start must find the ADMIN_EMAIL owner
      const ip = clientIp(c);
      const email = body.email.toLowerCase();
      const { users, sessions, audit } = deps.services();
      const account = users.byEmail(email);
      // an address this account has signed in from: exempt from the per-account limit, and the password gate's
      // priority lane — a burst of guesses from elsewhere can neither lock the owner out nor keep them waiting
      const known = !!account && sessions.knownAddress(account.id, ip);
      let ticket;
      try {
        ticket = deps.loginGuard.admit(ip, email, known);
      } catch (err) {
        log.warn(EV.AUTH_RATE_LIMITED, { ip });
        throw err;
      }
      let user: PublicUser | undefined;
      try {
        user = await users.verify(email, body.password, { priority: known });
      } catch (err) {
        ticket.cancelled();
        throw err;
      }
      if (!user) {
        ticket.failed();
        log.warn(EV.AUTH_LOGIN_FAILED, { ip });
        throw new AppError("unauthorized", "wrong email or password");
      }
      ticket.succeeded();
      audit.record("auth.login", { actorId: user.id, ip });
      log.info(EV.AUTH_LOGIN, { userId: user.id, ip });
      return startSession(c, deps, user);
    })
    .post("/setup", async (c) => {
      const body = await readJson(c, setupBody);
      if (!(await deps.tokens.verify(body.token, "setup"))) throw new AppError("unauthorized", "setup link is invalid or expired", "token");
      await deps.envOwner?.();
      const { users, audit } = deps.services();
      if (users.count() > 0) throw new AppError("conflict", "an admin already exists; sign in instead");
      const user = await users.createFirstOwner({ email: body.email, password: body.password, name: body.name });
      audit.record("admin.setup", { actorId: user.id, ip: clientIp(c) });
      log.info(EV.ADMIN_CREATED, { userId: user.id, via: "setup" });
      return startSession(c, deps, user);
    })
    .post("/set-password/check", async (c) => {
      const { user, exp } = await linkUser(deps, (await readJson(c, linkBody)).token);
      return c.json({ user: { email: user.email, name: user.name, role: user.role }, expiresAt: new Date(exp * 1000) });
    })
    .post("/set-password", async (c) => {
      const body = await readJson(c, setPasswordBody);
      const { user, fp } = await linkUser(deps, body.token);
      const { users, sessions, audit } = deps.services();
      const updated = await users.setPassword(user.id, body.password, fp);
      sessions.revokeAll(user.id);
      audit.record("user.password_set", { actorId: user.id, target: String(user.id), ip: clientIp(c) });
      log.info(EV.USER_PASSWORD_SET, { userId: user.id });
      return startSession(c, deps, updated);
    })
    .post("/password", requireSession(deps), async (c) => {
      const body = await readJson(c, changeBody);
      const me = c.get("user");
      const ip = clientIp(c);
      const { users, sessions, audit } = deps.services();
      // guessing the current password with a stolen session is limited like guessing it at the login
      const ticket = deps.loginGuard.admit(ip, me.email, true);
      let ok = false;
      try {
        ok = await users.checkPassword(me.id, body.currentPassword);
      } catch (err) {
        ticket.cancelled();
        throw err;
      }
      if (!ok) {
        ticket.failed();
        throw new AppError("forbidden", "currentPassword: is not your current password", "currentPassword");
      }
      ticket.succeeded();
      const user = await users.setPassword(me.id, body.newPassword);
      const revoked = sessions.revokeAll(me.id, c.get("sessionId"));
      audit.record("user.password_change", { actorId: me.id, target: String(me.id), ip, details: { revokedSessions: revoked } });
      log.info(EV.USER_PASSWORD_SET, { userId: me.id, revokedSessions: revoked });
      return c.json({ user, revokedSessions: revoked });
    })
    .post("/logout", async (c) => {
      const found = sessionToken(c.req.raw.headers);
      if (found) {
        if (found.via === "cookie") assertSameOrigin(c);
        const claims = await deps.tokens.verifySession(found.token);
        if (claims) deps.services().sessions.revoke(claims.jti);
      }
      deleteCookie(c, SESSION_COOKIE, { path: "/", secure: isHttps(c) });
      return c.body(null, 204);
    })
    .get("/me", requireSession(deps), (c) => c.json({ user: c.get("user") }))
    .get("/session", async (c) => c.json({ user: (await authenticate(deps, c.req.raw.headers))?.user ?? null }));
}
