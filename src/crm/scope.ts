/**
 * Whose records a signed-in user may see and change. Owners and admins: everything. An agent: only the contacts
 * assigned to them (`contacts.owner_id`) and what belongs to those contacts (calls, tasks, notes, messages,
 * payments), plus tasks assigned to them. Services answer "not found" for anything outside the scope, so an
 * agent cannot even learn that a record exists.
 */
import { eq, inArray, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contacts } from "../db/schema.ts";
import type { Role } from "../roles.ts";

export interface Scope {
  userId: number;
  role: Role;
}

export const seesEverything = (s: Scope): boolean => s.role === "owner" || s.role === "admin";

/** Condition on `contacts` for the scope (undefined = no limit). */
export function contactsInScope(s: Scope): SQL | undefined {
  return seesEverything(s) ? undefined : eq(contacts.ownerId, s.userId);
}

/** Condition on a table's contact column: its contact is in the scope (rows with no contact are outside an agent's). */
export function ownedByScope(db: Db, column: SQLWrapper & Parameters<typeof inArray>[0], s: Scope): SQL | undefined {
  if (seesEverything(s)) return undefined;
  return inArray(column, db.select({ id: contacts.id }).from(contacts).where(eq(contacts.ownerId, s.userId)));
}
