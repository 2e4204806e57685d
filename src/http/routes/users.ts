/**
 * Admin-app users (owner or admin; the role rules are in crm/user-rules.ts):
 * - GET /api/users, GET /api/users/:id
 * - POST /api/users `{email, role, name?, password?}` → 201; without a password the user is invited and the answer
 *   carries a one-time `setPasswordUrl` (valid 72 h) to hand to them
 * - PATCH /api/users/:id `{name?, role?}`
 * - POST /api/users/:id/deactivate (signs them out everywhere at once), POST /api/users/:id/reactivate
 * - POST /api/users/:id/reset-password → a new one-time `setPasswordUrl`; the old password and links stop working and
 *   their sessions end
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { assertMayCreate } from "../../crm/user-rules.ts";
import type { PublicUser } from "../../crm/users.ts";
import { AppError } from "../../errors.ts";
import { ROLES } from "../../roles.ts";
import { EV, log } from "../../log.ts";
import { publicBaseUrl } from "../../transports/twilio/base-url.ts";
import { readJson, validate } from "../body.ts";
import { clientIp } from "../client-ip.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { requireRole } from "../middleware/session.ts";

const createBody = z.object({
  email: z.email("must be an email address").max(254),
  password: z.string().min(8, "must be at least 8 characters").max(256).optional(),
  role: z.enum(ROLES).default("agent"),
  name: z.string().trim().max(120).optional(),
});
const patchBody = z
  .object({ name: z.string().trim().max(120).nullable().optional(), role: z.enum(ROLES).optional() })
  .refine((b) => b.name !== undefined || b.role !== undefined, { message: "give name or role", path: ["body"] });
const idParam = z.object({ id: z.coerce.number().int().positive("must be a user id") });

/** A one-time link to /app/set-password for the user's current (locked) password. */
async function setPasswordLink(c: Context<AppEnv>, deps: HttpDeps, user: PublicUser) {
  const fp = deps.services().users.passwordFingerprint(user.id)!;
  const { token, exp } = await deps.tokens.setPassword(user.id, fp);
  const base = publicBaseUrl(deps.config.publicBaseUrl, c.req.raw);
  return { setPasswordUrl: `${base}/app/set-password?token=${token}`, expiresAt: new Date(exp * 1000) };
}

export function userRoutes(deps: HttpDeps) {
  const audit = (c: Context<AppEnv>, action: string, target: PublicUser, details?: unknown) =>
    deps.services().audit.record(action, { actorId: c.get("user").id, target: String(target.id), ip: clientIp(c), details });
  const id = (c: Context<AppEnv>) => validate(idParam, { id: c.req.param("id") }).id;

  return new Hono<AppEnv>()
    .use(requireRole("owner", "admin"))
    .get("/", (c) => c.json({ users: deps.services().users.list() }))
    .get("/:id", (c) => {
      const user = deps.services().users.byId(id(c));
      if (!user) throw new AppError("not_found", `no user ${c.req.param("id")}`);
      return c.json({ user });
    })
    .post("/", async (c) => {
      const body = await readJson(c, createBody);
      assertMayCreate(c.get("user"), body.role);
      const user = await deps.services().users.create(body);
      audit(c, body.password ? "user.create" : "user.invite", user, { role: user.role });
      log.info(EV.USER_CHANGED, { userId: user.id, change: body.password ? "create" : "invite", by: c.get("user").id });
      return c.json({ user, ...(body.password ? {} : await setPasswordLink(c, deps, user)) }, 201);
    })
    .patch("/:id", async (c) => {
      const body = await readJson(c, patchBody);
      const user = deps.services().users.update(c.get("user"), id(c), body);
      audit(c, "user.update", user, body);
      log.info(EV.USER_CHANGED, { userId: user.id, change: "update", by: c.get("user").id });
      return c.json({ user });
    })
    .post("/:id/deactivate", (c) => {
      const { users, sessions } = deps.services();
      const user = users.setActive(c.get("user"), id(c), false);
      const revoked = sessions.revokeAll(user.id);
      audit(c, "user.deactivate", user, { revokedSessions: revoked });
      log.info(EV.USER_CHANGED, { userId: user.id, change: "deactivate", by: c.get("user").id, revokedSessions: revoked });
      return c.json({ user, revokedSessions: revoked });
    })
    .post("/:id/reactivate", (c) => {
      const user = deps.services().users.setActive(c.get("user"), id(c), true);
      audit(c, "user.reactivate", user);
      log.info(EV.USER_CHANGED, { userId: user.id, change: "reactivate", by: c.get("user").id });
      return c.json({ user });
    })
    .post("/:id/reset-password", async (c) => {
      const { users, sessions } = deps.services();
      const user = users.lockPassword(c.get("user"), id(c));
      const revoked = sessions.revokeAll(user.id);
      audit(c, "user.reset_password", user, { revokedSessions: revoked });
      log.info(EV.USER_CHANGED, { userId: user.id, change: "reset_password", by: c.get("user").id, revokedSessions: revoked });
      return c.json({ user, revokedSessions: revoked, ...(await setPasswordLink(c, deps, user)) });
    });
}
