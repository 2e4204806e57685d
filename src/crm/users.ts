/**
 * Admin-app users: create (with a password, or invited with none yet), verify a password, set or lock it, change
 * role, deactivate. Passwords are hashed with Bun.password (argon2id). A user without a usable password (invited,
 * or reset) holds a locked hash — `!` and random text, the /etc/shadow convention — that no password matches.
 * The role rules live in user-rules.ts; every check-then-write here is synchronous, so it cannot interleave.
 * Hashing and verifying are memory-hard (64 MiB each) and run through `gate` (the password Semaphore), which may
 * reject with Busy when too many wait.
 */
import { createHash } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { users, type Role } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { assertMayChange, type UserChange } from "./user-rules.ts";

export interface PublicUser {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  active: boolean;
  /** Invited or reset and no password set yet: cannot sign in until the set-password link is used. */
  invited: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

type Row = typeof users.$inferSelect;

const LOCKED = "!";

export const toPublicUser = (u: Row): PublicUser => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
  invited: u.passwordHash.startsWith(LOCKED),
  createdAt: u.createdAt,
  lastLoginAt: u.lastLoginAt,
});

/**
 * argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane): memory-hard, ≈ 45 ms a check on a small server
 * (Bun's default, 64 MiB, took 120–190 ms — most of a first sign-in after a restart). A hash keeps the cost it was
 * made with, so older (costlier) hashes still verify; they take the new cost at their next password change.
 */
export const ARGON2 = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;
const hash = (password: string) => Bun.password.hash(password, ARGON2);
const lockedHash = () => LOCKED + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
const fingerprint = (passwordHash: string) => createHash("sha256").update(passwordHash).digest("base64url").slice(0, 22);

/** True for SQLite's UNIQUE constraint failure, however drizzle wraps it. */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") return true;
    if (e instanceof Error && /UNIQUE constraint failed/.test(e.message)) return true;
  }
  return false;
}

/** Runs memory-hard work, maybe later, maybe not at all (rejects when too busy); the Semaphore in auth/semaphore.ts. */
export interface Gate {
  /** `priority`: an account signing in from an address it has used before — a lane a burst of guesses cannot fill. */
  run<T>(work: () => Promise<T>, opts?: { priority?: boolean }): Promise<T>;
  /** No ordinary slot is free: ordinary work started now would wait. */
  readonly pressed: boolean;
}

const OPEN_GATE: Gate = { run: (work) => work(), pressed: false };

/** How long one verification takes here, in ms: a moving average of the real ones (undefined before the first). */
class VerifyCost {
  ms: number | undefined;
  async measure<T>(work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      const took = performance.now() - t0;
      this.ms = this.ms === undefined ? took : this.ms * 0.8 + took * 0.2;
    }
  }
}

export class UserService {
  /** Emails being created right now (hashing takes ~100 ms): a concurrent duplicate is a conflict at once. */
  private creating = new Set<string>();

  constructor(
    private db: Db,
    private gate: Gate = OPEN_GATE,
  ) {}

  private cost = new VerifyCost();
  /** Password checks so far: `real` argon2 verifications, `standIn` unknown emails answered without one. */
  readonly checks = { real: 0, standIn: 0 };

  /** What one verification costs here (ms, a moving average), the time a stand-in holds its slot. */
  get verifyCostMs(): number | undefined {
    return this.cost.ms;
  }

  count(): number {
    return this.db.select({ n: count() }).from(users).get()?.n ?? 0;
  }

  list(): PublicUser[] {
    return this.db.select().from(users).orderBy(users.id).all().map(toPublicUser);
  }

  private row(id: number): Row | undefined {
    return this.db.select().from(users).where(eq(users.id, id)).get();
  }

  byId(id: number): PublicUser | undefined {
    const u = this.row(id);
    return u && toPublicUser(u);
  }

  byEmail(email: string): PublicUser | undefined {
    const u = this.db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
    return u && toPublicUser(u);
  }

  /**
   * Creates a user; without a password the user is invited (locked until the set-password link is used).
   * Two creations of one email: one succeeds, the other is a `conflict` — never a database error.
   */
  async create(input: { email: string; password?: string; role: Role; name?: string }, opts: { onlyIfNoUsers?: boolean } = {}): Promise<PublicUser> {
    const email = input.email.trim().toLowerCase();
    // checked and claimed synchronously, before any waiting: concurrent creations of one email (or of the first
    // owner) get their conflict at once instead of all hashing and racing to the insert
    const firstKey = "\0first-owner";
    if (opts.onlyIfNoUsers && (this.creating.has(firstKey) || this.count() > 0)) throw new AppError("conflict", "an admin already exists; sign in instead");
    if (this.creating.has(email) || this.byEmail(email)) throw new AppError("conflict", `a user with email ${email} already exists`, "email");
    const claims = opts.onlyIfNoUsers ? [email, firstKey] : [email];
    for (const k of claims) this.creating.add(k);
    try {
      const passwordHash = input.password ? await this.gate.run(() => hash(input.password!)) : lockedHash();
      return this.db.transaction((tx) => {
        // another process (the CLI's `admin create`) may have written meanwhile: the database decides
        if (opts.onlyIfNoUsers && (tx.select({ n: count() }).from(users).get()?.n ?? 0) > 0)
          throw new AppError("conflict", "an admin already exists; sign in instead");
        const row = tx
          .insert(users)
          .values({ email, passwordHash, role: input.role, name: input.name ?? null, passwordChangedAt: input.password ? new Date() : null })
          .returning()
          .get();
        return toPublicUser(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError("conflict", `a user with email ${email} already exists`, "email");
      throw err;
    } finally {
      for (const k of claims) this.creating.delete(k);
    }
  }

  /** The first owner, from the one-time setup link: exactly one, however many setups race. */
  createFirstOwner(input: { email: string; password: string; name?: string }): Promise<PublicUser> {
    return this.create({ ...input, role: "owner" }, { onlyIfNoUsers: true });
  }

  /**
   * The active user when the password matches, else undefined. An unknown email (or one with no usable password)
   * takes the same place in the gate and the same time as a real account's check, so response time does not reveal
   * which accounts exist: it verifies against a stand-in hash — or, when the gate is under pressure, holds its slot
   * for as long as a verification takes here (measured) without hashing, so a burst of made-up emails costs no
   * memory or CPU that a real sign-in needs. `priority`: see Gate.
   */
  async verify(email: string, password: string, opts: { priority?: boolean } = {}): Promise<PublicUser | undefined> {
    const u = this.db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
    const usable = u && !u.passwordHash.startsWith(LOCKED) ? u.passwordHash : DUMMY_HASH;
    const ok = await this.gate.run(() => this.check(password, usable), opts);
    if (!u || !ok || usable === DUMMY_HASH || !u.active) return undefined;
    this.db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, u.id)).run();
    return toPublicUser({ ...u, lastLoginAt: new Date() });
  }

  /** True when `password` is the user's current one (for a password change). */
  async checkPassword(userId: number, password: string): Promise<boolean> {
    const u = this.row(userId);
    const usable = u && !u.passwordHash.startsWith(LOCKED) ? u.passwordHash : DUMMY_HASH;
    // the user is signed in (the route admits the attempt as from a known address): the priority lane
    const ok = await this.gate.run(() => this.check(password, usable), { priority: true });
    return ok && usable !== DUMMY_HASH;
  }

  /** Runs inside a gate slot: decides there whether the gate is under pressure (others waiting or every slot busy). */
  private async check(password: string, passwordHash: string): Promise<boolean> {
    const standInMs = this.cost.ms;
    if (passwordHash === DUMMY_HASH && this.gate.pressed && standInMs !== undefined) {
      this.checks.standIn++;
      await Bun.sleep(standInMs);
      return false;
    }
    this.checks.real++;
    return this.cost.measure(() => Bun.password.verify(password, passwordHash).catch(() => false));
  }

  /** Sets a new password. With `expectFingerprint`, only if the hash is still the one a link was issued for. */
  async setPassword(userId: number, password: string, expectFingerprint?: string): Promise<PublicUser> {
    const passwordHash = await this.gate.run(() => hash(password));
    const u = this.row(userId);
    if (!u) throw new AppError("not_found", `no user ${userId}`);
    if (expectFingerprint !== undefined && fingerprint(u.passwordHash) !== expectFingerprint)
      throw new AppError("unauthorized", "this link has been used or replaced; ask for a new one", "token");
    const where = expectFingerprint === undefined ? eq(users.id, userId) : and(eq(users.id, userId), eq(users.passwordHash, u.passwordHash));
    const row = this.db.update(users).set({ passwordHash, passwordChangedAt: new Date() }).where(where).returning().get();
    // a second use of one link that raced past the check above finds the hash already changed
    if (!row) throw new AppError("unauthorized", "this link has been used or replaced; ask for a new one", "token");
    return toPublicUser(row);
  }

  /** The fingerprint a set-password link is bound to (undefined for an unknown user). */
  passwordFingerprint(userId: number): string | undefined {
    const u = this.row(userId);
    return u && fingerprint(u.passwordHash);
  }

  /** Resets: the old password stops working (and so does every earlier link); a new link must be used. */
  lockPassword(actor: PublicUser, userId: number): PublicUser {
    return this.change(actor, userId, { kind: "reset" }, () => ({ passwordHash: lockedHash(), passwordChangedAt: new Date() }));
  }

  update(actor: PublicUser, userId: number, input: { name?: string | null; role?: Role }): PublicUser {
    const patch: Partial<Row> = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.role !== undefined) patch.role = input.role;
    return this.change(actor, userId, { kind: "update", role: input.role }, () => patch);
  }

  setActive(actor: PublicUser, userId: number, active: boolean): PublicUser {
    return this.change(actor, userId, { kind: active ? "reactivate" : "deactivate" }, () => ({ active }));
  }

  /** Checks the role rules against the current rows and writes, in one transaction. */
  private change(actor: PublicUser, userId: number, change: UserChange, patch: () => Partial<Row>): PublicUser {
    return this.db.transaction((tx) => {
      const target = tx.select().from(users).where(eq(users.id, userId)).get();
      if (!target) throw new AppError("not_found", `no user ${userId}`);
      const activeOwners = tx
        .select({ n: count() })
        .from(users)
        .where(and(eq(users.role, "owner"), eq(users.active, true)))
        .get()?.n ?? 0;
      assertMayChange(actor, toPublicUser(target), change, activeOwners);
      const row = tx.update(users).set(patch()).where(eq(users.id, userId)).returning().get()!;
      return toPublicUser(row);
    });
  }
}

/**
 * A real argon2id hash at the cost of every new user's (ARGON2), of random text nobody kept: verifying an unknown
 * email against it costs the same as a real user's. A constant, so start-up hashes nothing.
 */
export const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$BN5DLLdaL6eYxuGp7oF+mh42wYMQwOd7c3X6/FOom4A$cT08NIhKJ9gEv5c5KBY30tpsnO1pfQYlwOptvwqnxTc";
