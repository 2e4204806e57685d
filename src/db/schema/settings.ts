import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { now } from "./now.ts";

/** Business settings (name, greeting, hours, …) as JSON values under a key. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull().default(now),
});
