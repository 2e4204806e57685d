/** Tasks: callbacks the agent promised, follow-ups for the team. */
import type { Db } from "../db/client.ts";
import { tasks } from "../db/schema.ts";

export type Task = typeof tasks.$inferSelect;

export class TaskService {
  constructor(private db: Db) {}

  scheduleCallback(input: { contactId: number; callId?: number; dueText?: string; dueAt?: Date; notes?: string; title: string }): Task {
    return this.db
      .insert(tasks)
      .values({ kind: "callback", contactId: input.contactId, callId: input.callId, title: input.title, dueText: input.dueText, dueAt: input.dueAt, notes: input.notes })
      .returning()
      .get();
  }
}
