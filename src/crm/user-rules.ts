/**
 * Who may change whom (owner > admin > agent):
 * - agents manage nobody; admins manage admins and agents; only an owner creates, changes, resets or deactivates an
 *   owner, or makes someone an owner;
 * - nobody deactivates, resets or changes the role of themselves (a password change is POST /api/auth/password);
 * - the last active owner can be neither deactivated nor demoted, so the business always has an owner.
 */
import { AppError } from "../errors.ts";
import type { Role } from "../roles.ts";

export type UserChange = { kind: "update"; role?: Role } | { kind: "deactivate" } | { kind: "reactivate" } | { kind: "reset" };

interface Person {
  id: number;
  role: Role;
  active: boolean;
}

/** Throws `forbidden` (not allowed to) or `conflict` (would leave no active owner). */
export function assertMayChange(actor: Person, target: Person, change: UserChange, activeOwners: number): void {
  if (actor.role === "agent") throw new AppError("forbidden", "needs role owner or admin");
  assertMayCreate(actor, change.kind === "update" && change.role ? change.role : "agent");
  if (target.role === "owner" && actor.role !== "owner") throw new AppError("forbidden", "only an owner can change an owner");
  const roleChange = change.kind === "update" && change.role !== undefined && change.role !== target.role;
  if (actor.id === target.id && (change.kind !== "update" || roleChange))
    throw new AppError("forbidden", "you cannot deactivate, reset or change the role of yourself (to change your password use POST /api/auth/password)");
  const losesAnOwner = target.role === "owner" && target.active && (change.kind === "deactivate" || (roleChange && change.kind === "update"));
  if (losesAnOwner && activeOwners <= 1) throw new AppError("conflict", "this is the last active owner: make someone else an owner first");
}

/** Only an owner creates an owner (or makes someone one). */
export function assertMayCreate(actor: { role: Role }, role: Role): void {
  if (actor.role === "agent") throw new AppError("forbidden", "needs role owner or admin");
  if (role === "owner" && actor.role !== "owner") throw new AppError("forbidden", "only an owner can make an owner", "role");
}
