/**
 * Server-side admin sessions: one row per issued session token (the token's `jti`). A token is honoured only while
 * its row exists, is not revoked, has not expired and its user is active — so logout, a password change, a reset or
 * a deactivation take effect on the very next request. Rows also remember the address a session came from, which
 * lets the login limits recognise an account's usual addresses.
 */
import { and, eq, gt, isNull, lt, ne, or } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { sessions, users } from "../db/schema.ts";
import { toPublicUser, type PublicUser } from "./users.ts";

/** How long an address counts as one the account signs in from. */
const KNOWN_ADDRESS_MS = 90 * 24 * 60 * 60 * 1000;

export class SessionService {
  constructor(private db: Db) {}

  /** Records a new session; `id` goes into the token as its `jti`. */
  open(userId: number, expiresAt: Date, info: { ip?: string; userAgent?: string } = {}): string {
    const id = crypto.randomUUID();
    this.db
      .insert(sessions)
      .values({ id, userId, expiresAt, ip: info.ip ?? null, userAgent: info.userAgent?.slice(0, 300) ?? null })
      .run();
    return id;
  }

  /** The active user behind a live session, or undefined (revoked, expired, unknown, or the user deactivated). */
  userOf(sessionId: string, userId: number): PublicUser | undefined {
    const row = this.db
      .select({ user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date()), eq(users.active, true)))
      .get();
    return row && toPublicUser(row.user);
  }

  revoke(sessionId: string): void {
    this.db.update(sessions).set({ revokedAt: new Date() }).where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt))).run();
  }

  /** Revokes every live session of the user, but `exceptId` (the one making the change). Returns how many. */
  revokeAll(userId: number, exceptId?: string): number {
    const where = and(eq(sessions.userId, userId), isNull(sessions.revokedAt), exceptId ? ne(sessions.id, exceptId) : undefined);
    return this.db.update(sessions).set({ revokedAt: new Date() }).where(where).returning({ id: sessions.id }).all().length;
  }

  /** The user has signed in from this address within the last 90 days. */
  knownAddress(userId: number, ip: string): boolean {
    const since = new Date(Date.now() - KNOWN_ADDRESS_MS);
    return !!this.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), eq(sessions.ip, ip), gt(sessions.createdAt, since)))
      .limit(1)
      .get();
  }

  /** Forgets sessions that ended (expired or revoked) more than 90 days ago. */
  prune(): number {
    const before = new Date(Date.now() - KNOWN_ADDRESS_MS);
    return this.db
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before)))
      .returning({ id: sessions.id })
      .all().length;
  }
}
