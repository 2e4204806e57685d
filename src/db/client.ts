/**
 * Opens the embedded SQLite database and applies the migrations that are built into the program.
 * Only src/crm (and start-up) imports this module; routes never touch the database directly.
 */
import { Database } from "bun:sqlite";
import { dirname } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { ensurePrivateDir, restrictFile } from "../data-dir.ts";
import { embeddedMigrations } from "./embedded-migrations.ts" with { type: "macro" };
import * as schema from "./schema.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/** The migration list, frozen into the bundle at build time. */
const MIGRATIONS = embeddedMigrations();

export function openDatabase(path: string): Db {
  if (path !== ":memory:") ensurePrivateDir(dirname(path));
  const sqlite = new Database(path, { create: true, strict: true });
  // WAL: readers never block the writer; busy_timeout: wait (ms) instead of failing on a momentary lock.
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA synchronous = NORMAL");
  sqlite.run("PRAGMA foreign_keys = ON");
  sqlite.run("PRAGMA busy_timeout = 5000");
  // customers' calls and leads: owner-only, also for files an older version created 0644
  if (path !== ":memory:") for (const file of [path, `${path}-wal`, `${path}-shm`]) restrictFile(file);
  return drizzle({ client: sqlite, schema }) as Db;
}

/** Applies every embedded migration not yet recorded in `__drizzle_migrations`; returns how many ran. */
export function migrate(db: Db): number {
  const table = "__drizzle_migrations";
  const before = countApplied(db, table);
  // drizzle's own SQLite migrator over our embedded list (same bookkeeping table as drizzle-kit's `migrate`).
  const internal = db as unknown as { dialect: { migrate(m: unknown, s: unknown, c: unknown): void }; session: unknown };
  // drizzle-kit changes a column by rebuilding its table (create new, copy, DROP old, rename). The migrator runs
  // every migration inside one transaction, where the migrations' own `PRAGMA foreign_keys=OFF` is a no-op, and
  // with foreign keys on, DROP TABLE fires ON DELETE CASCADE/SET NULL in the tables that reference it — losing
  // rows. So foreign keys go off around the migrator (SQLite's documented procedure for schema changes), and the
  // result is checked before they come back on.
  db.$client.run("PRAGMA foreign_keys = OFF");
  try {
    internal.dialect.migrate(MIGRATIONS, internal.session, { migrationsFolder: "", migrationsTable: table });
    const broken = db.$client.query("PRAGMA foreign_key_check").all();
    if (broken.length) throw new Error(`migration left ${broken.length} broken foreign key(s): ${JSON.stringify(broken.slice(0, 3))}`);
  } finally {
    db.$client.run("PRAGMA foreign_keys = ON");
  }
  return countApplied(db, table) - before;
}

function countApplied(db: Db, table: string): number {
  const exists = db.$client.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?").get(table);
  if (!exists) return 0;
  const row = db.$client.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
  return row.n;
}

export const migrationCount = MIGRATIONS.length;
