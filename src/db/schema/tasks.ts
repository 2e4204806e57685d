/** Follow-ups (a callback the caller asked for, or anything the team must do), per contact and assignee. */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./auth.ts";
import { calls } from "./calls.ts";
import { contacts } from "./contacts.ts";
import { now } from "./now.ts";

export const TASK_STATUSES = ["open", "done", "cancelled"] as const;

export const tasks = sqliteTable(
  "tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    contactId: integer("contact_id").references(() => contacts.id, { onDelete: "cascade" }),
    callId: integer("call_id").references(() => calls.id, { onDelete: "set null" }),
    kind: text("kind").notNull().default("callback"),
    title: text("title").notNull(),
    notes: text("notes"),
    /** When the caller asked to be called back, as they said it (free text) … */
    dueText: text("due_text"),
    /** … and as a time when it could be understood. */
    dueAt: integer("due_at", { mode: "timestamp_ms" }),
    status: text("status", { enum: TASK_STATUSES }).notNull().default("open"),
    assigneeId: integer("assignee_id").references(() => users.id, { onDelete: "set null" }),
    createdById: integer("created_by_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull().default(now),
    doneAt: integer("done_at", { mode: "timestamp_ms" }),
  },
  (t) => [index("tasks_contact_idx").on(t.contactId), index("tasks_status_idx").on(t.status), index("tasks_due_idx").on(t.dueAt), index("tasks_assignee_idx").on(t.assigneeId)],
);
