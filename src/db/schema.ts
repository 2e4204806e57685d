/**
 * Every table of AgentLocator, in one place. drizzle-kit turns changes here into SQL migrations
 * (`bun run db:generate`), which are embedded in the build and applied at start.
 * Times are integer milliseconds since the epoch (drizzle's timestamp_ms mode).
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

export const ROLES = ["owner", "admin", "agent"] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name"),
  passwordHash: text("password_hash").notNull(),
  role: text("role", { enum: ROLES }).notNull().default("agent"),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
  lastLoginAt: integer("last_login_at", { mode: "timestamp_ms" }),
});

/** Business settings (name, greeting, hours, …) as JSON values under a key. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
});

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "timestamp_ms" }).notNull().default(now),
    actorId: integer("actor_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    target: text("target"),
    ip: text("ip"),
    details: text("details", { mode: "json" }),
  },
  (t) => [index("audit_log_at_idx").on(t.at)],
);
