/** GET /api/users (owner/admin), POST /api/users (owner/admin; only an owner creates owners). */
import { Hono } from "hono";
import { z } from "zod";
import { ROLES } from "../../roles.ts";
import { AppError } from "../../errors.ts";
import { readJson } from "../body.ts";
import { clientIp } from "../client-ip.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { requireRole } from "../middleware/session.ts";

const createBody = z.object({
  email: z.email("must be an email address"),
  password: z.string().min(8, "must be at least 8 characters"),
  role: z.enum(ROLES).default("agent"),
  name: z.string().trim().max(120).optional(),
});

export function userRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .use(requireRole("owner", "admin"))
    .get("/", (c) => c.json({ users: deps.services().users.list() }))
    .post("/", async (c) => {
      const body = await readJson(c, createBody);
      if (body.role === "owner" && c.get("user").role !== "owner") throw new AppError("forbidden", "only an owner can create an owner", "role");
      const { users, audit } = deps.services();
      const user = await users.create(body);
      audit.record("user.create", { actorId: c.get("user").id, target: String(user.id), ip: clientIp(c) });
      return c.json({ user }, 201);
    });
}
