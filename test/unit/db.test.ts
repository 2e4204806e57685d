import { expect, test } from "bun:test";
import { join } from "node:path";
import { migrate, migrationCount, openDatabase } from "../../src/db/client.ts";
import { UserService } from "../../src/crm/users.ts";
import { tempDir } from "../support/server.ts";

test("migrations apply to an empty database and are recorded", () => {
  const db = openDatabase(join(tempDir(), "nested", "a.db"));
  expect(migrationCount).toBeGreaterThan(0);
  expect(migrate(db)).toBe(migrationCount);
  const tables = db.$client.query("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>;
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["users", "settings", "audit_log", "__drizzle_migrations"]));
  expect((db.$client.query("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode).toBe("wal");
  expect((db.$client.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys).toBe(1);
  expect((db.$client.query("PRAGMA busy_timeout").get() as { timeout: number }).timeout).toBe(5000);
  db.$client.close();
});

test("an existing database keeps its data and only gets the migrations it lacks", async () => {
  const path = join(tempDir(), "b.db");
  const first = openDatabase(path);
  migrate(first);
  await new UserService(first).create({ email: "keep@example.com", password: "password1", role: "owner" });
  first.$client.close();

  const second = openDatabase(path);
  expect(migrate(second)).toBe(0);
  expect(new UserService(second).byEmail("keep@example.com")?.role).toBe("owner");
  second.$client.close();
});

test("a database from an earlier release gets only the migrations it lacks, keeping its data", async () => {
  const { readMigrationFiles } = await import("drizzle-orm/migrator");
  const all = readMigrationFiles({ migrationsFolder: join(import.meta.dir, "../../src/db/migrations") });
  expect(all.length).toBeGreaterThanOrEqual(2);
  const path = join(tempDir(), "old.db");
  const old = openDatabase(path);
  // what the first release did: only its own migrations, through drizzle's migrator
  const internal = old as unknown as { dialect: { migrate(m: unknown, s: unknown, c: unknown): void }; session: unknown };
  internal.dialect.migrate(all.slice(0, 1), internal.session, { migrationsFolder: "" });
  // a row as the first release wrote it (today's services expect today's columns)
  old.$client.run("INSERT INTO users (email, password_hash, role) VALUES ('early@example.com', ?, 'owner')", [await Bun.password.hash("password1")]);
  expect(old.$client.query("SELECT name FROM sqlite_master WHERE name = 'calls'").get()).toBeNull();
  old.$client.close();

  const now = openDatabase(path);
  expect(migrate(now)).toBe(all.length - 1);
  expect(now.$client.query("SELECT name FROM sqlite_master WHERE name = 'calls'").get()).toEqual({ name: "calls" });
  expect(new UserService(now).byEmail("early@example.com")?.role).toBe("owner");
  now.$client.close();
});

test("passwords are stored as argon2id hashes and verified", async () => {
  const db = openDatabase(join(tempDir(), "d.db"));
  migrate(db);
  const users = new UserService(db);
  await users.create({ email: "Mixed@Example.com", password: "correct horse", role: "admin" });
  const row = db.$client.query("SELECT password_hash FROM users").get() as { password_hash: string };
  expect(row.password_hash).toStartWith("$argon2id$");
  expect(await users.verify("mixed@example.com", "correct horse")).toMatchObject({ role: "admin" });
  expect(await users.verify("mixed@example.com", "wrong")).toBeUndefined();
  expect(await users.verify("nobody@example.com", "correct horse")).toBeUndefined();
  db.$client.close();
});

test("an upgrade that rebuilds a table keeps the rows that reference it (tasks, call links) and maps old statuses", async () => {
  const { readMigrationFiles } = await import("drizzle-orm/migrator");
  const all = readMigrationFiles({ migrationsFolder: join(import.meta.dir, "../../src/db/migrations") });
  const path = join(tempDir(), "upgrade.db");
  const old = openDatabase(path);
  const internal = old as unknown as { dialect: { migrate(m: unknown, s: unknown, c: unknown): void }; session: unknown };
  internal.dialect.migrate(all.slice(0, 2), internal.session, { migrationsFolder: "" }); // the first release's schema
  old.$client.run("INSERT INTO contacts (id, phone, status, name) VALUES (1, '+972501234567', 'lead', 'Dana'), (2, '+972507654321', 'customer', NULL)");
  old.$client.run("INSERT INTO calls (id, call_sid, contact_id, started_at) VALUES (1, 'CA1', 1, 1700000000000)");
  old.$client.run("INSERT INTO tasks (id, contact_id, call_id, title) VALUES (1, 1, 1, 'Call back Dana')");
  old.$client.close();

  const now = openDatabase(path);
  expect(migrate(now)).toBe(all.length - 2);
  const q = (s: string) => now.$client.query(s).all();
  expect(q("SELECT id, status, name, last_contact_at FROM contacts ORDER BY id")).toEqual([
    { id: 1, status: "new", name: "Dana", last_contact_at: 1700000000000 },
    { id: 2, status: "won", name: null, last_contact_at: null },
  ]);
  expect(q("SELECT contact_id FROM calls")).toEqual([{ contact_id: 1 }]);
  expect(q("SELECT contact_id, title FROM tasks")).toEqual([{ contact_id: 1, title: "Call back Dana" }]);
  expect((now.$client.query("PRAGMA foreign_keys").get() as { foreign_keys: number }).foreign_keys).toBe(1);
  now.$client.close();
});
