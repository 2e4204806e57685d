/** The default of every creation and update time: now, in integer milliseconds since the epoch (timestamp_ms mode). */
import { sql } from "drizzle-orm";

export const now = sql`(unixepoch('subsec') * 1000)`;
