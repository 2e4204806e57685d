/** Admin-app users: create, find, verify a password. Passwords are hashed with Bun.password (argon2id). */
import { count, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { users, type Role } from "../db/schema.ts";
import { AppError } from "../errors.ts";

export interface PublicUser {
  id: number;
  email: string;
  name: string | null;
  role: Role;
}

const toPublic = (u: typeof users.$inferSelect): PublicUser => ({ id: u.id, email: u.email, name: u.name, role: u.role });

export class UserService {
  constructor(private db: Db) {}

  count(): number {
    return this.db.select({ n: count() }).from(users).get()?.n ?? 0;
  }

  list(): PublicUser[] {
    return this.db.select().from(users).orderBy(users.id).all().map(toPublic);
  }

  byId(id: number): PublicUser | undefined {
    const u = this.db.select().from(users).where(eq(users.id, id)).get();
    return u && toPublic(u);
  }

  byEmail(email: string): PublicUser | undefined {
    const u = this.db.select().from(users).where(eq(users.email, email.toLowerCase())).get();
    return u && toPublic(u);
  }

  async create(input: { email: string; password: string; role: Role; name?: string }): Promise<PublicUser> {
    const email = input.email.trim().toLowerCase();
    if (this.byEmail(email)) throw new AppError("conflict", `a user with email ${email} already exists`, "email");
    const passwordHash = await Bun.password.hash(input.password, { algorithm: "argon2id" });
    const row = this.db.insert(users).values({ email, passwordHash, role: input.role, name: input.name ?? null }).returning().get();
    return toPublic(row);
  }

  /** The user when the password matches, else undefined. Always hashes once so timing does not reveal emails. */
  async verify(email: string, password: string): Promise<PublicUser | undefined> {
    const u = this.db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get();
    const ok = await Bun.password.verify(password, u?.passwordHash ?? (await dummyHash())).catch(() => false);
    if (!u || !ok) return undefined;
    this.db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, u.id)).run();
    return toPublic(u);
  }
}

// A real argon2id hash of a random string, made on first need: verifying an unknown email against it costs
// the same as a real user's, so response time does not reveal which emails exist.
let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= Bun.password.hash(crypto.randomUUID(), { algorithm: "argon2id" }));
