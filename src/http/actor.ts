/**
 * Who is asking, for the CRM: the signed-in user's Scope (what they may see) and the audit entry every write
 * leaves (who, what, which record, from which address).
 *
 * @example audit(c, deps, "contact.update", contact.id, { changed: Object.keys(body) })
 */
import type { Context } from "hono";
import type { Scope } from "../crm/scope.ts";
import { AppError } from "../errors.ts";
import { clientIp } from "./client-ip.ts";
import type { AppEnv, HttpDeps } from "./env.ts";

export function scopeOf(c: Context<AppEnv>): Scope {
  const user = c.get("user");
  return { userId: user.id, role: user.role };
}

export function audit(c: Context<AppEnv>, deps: HttpDeps, action: string, target?: string | number, details?: unknown): void {
  deps.services().audit.record(action, { actorId: c.get("user").id, target: target === undefined ? undefined : String(target), ip: clientIp(c), details });
}

/** A numeric path parameter; anything else is "not found" (no record has that id). */
export function idParam(c: Context<AppEnv>, name: string): number {
  const raw = c.req.param(name) ?? "";
  const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw new AppError("not_found", `no record ${raw}`);
  return id;
}
