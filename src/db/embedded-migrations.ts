/**
 * A Bun macro: runs at bundle/transpile time, reads drizzle-kit's journal and SQL files and returns drizzle's
 * migration list as plain data, so the migrations live inside the compiled binary (drizzle's own `migrate()`
 * reads the folder at run time, and fails in a binary with "Can't find meta/_journal.json").
 * Import it `with { type: "macro" }`.
 */
import { readMigrationFiles } from "drizzle-orm/migrator";

export interface EmbeddedMigration {
  sql: string[];
  bps: boolean;
  folderMillis: number;
  hash: string;
}

export function embeddedMigrations(): EmbeddedMigration[] {
  return readMigrationFiles({ migrationsFolder: new URL("./migrations", import.meta.url).pathname });
}
