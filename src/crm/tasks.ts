/**
 * Tasks: callbacks the agent promised on a call (due when the caller asked, when that could be read) and
 * follow-ups the team sets. Lists by view (today, overdue, upcoming, open, done, all) in the business's time zone.
 * An agent sees the tasks of their own contacts, tasks assigned to them, and tasks without a contact they created.
 */
import { and, asc, count, desc, eq, gte, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { calls, contacts, tasks, users } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { LIVE, silentFeed, type LiveFeed } from "../live-events.ts";
import type { Page } from "./contact-search.ts";
import { parseDueText } from "./due-time.ts";
import { ownedByScope, seesEverything, type Scope } from "./scope.ts";
import { dayBounds, isTimeZone } from "./time-zone.ts";

export type Task = typeof tasks.$inferSelect;

export const TASK_VIEWS = ["today", "overdue", "upcoming", "open", "done", "all"] as const;
export const TASK_KINDS = ["task", "callback"] as const;

const instant = z.iso.datetime({ offset: true, message: "must be an ISO date-time such as 2025-03-01T10:00:00+02:00" }).transform((s) => new Date(s));
const id = z.number().int().positive();
const optionalText = (max: number) => z.preprocess((v) => (v === "" ? null : v), z.string().trim().max(max).nullish());

export const taskQuerySchema = z.object({
  view: z.enum(TASK_VIEWS).default("open"),
  /** A user id, `me`, or `none` (unassigned). */
  assigneeId: z.union([z.literal("me"), z.literal("none"), z.coerce.number().int().positive()]).optional(),
  contactId: z.coerce.number().int().positive().optional(),
  kind: z.enum(TASK_KINDS).optional(),
  /** The time zone "today" is counted in; default the business's. */
  tz: z.string().refine(isTimeZone, "must be an IANA time zone such as Asia/Jerusalem").optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type TaskQuery = z.infer<typeof taskQuerySchema>;

export const taskCreateSchema = z.object({
  title: z.string().trim().min(1, "is required").max(300),
  kind: z.enum(TASK_KINDS).default("task"),
  dueAt: instant.nullish(),
  contactId: id.nullish(),
  /** Omitted: the creator. null: nobody. */
  assigneeId: id.nullish(),
  notes: optionalText(4000),
});
export const taskPatchSchema = z.object({
  title: z.string().trim().min(1, "is required").max(300).optional(),
  dueAt: instant.nullish(),
  contactId: id.nullish(),
  assigneeId: id.nullish(),
  notes: optionalText(4000),
  done: z.boolean().optional(),
});

export interface TaskView {
  id: number;
  title: string;
  kind: string;
  notes: string | null;
  dueAt: Date | null;
  /** A callback's time as the caller said it. */
  dueText: string | null;
  done: boolean;
  doneAt: Date | null;
  contactId: number | null;
  contactName: string | null;
  contactPhone: string | null;
  callId: number | null;
  callSid: string | null;
  assigneeId: number | null;
  assigneeName: string | null;
  createdById: number | null;
  createdAt: Date;
}

export interface TaskServiceOptions {
  live?: LiveFeed;
  /** The business's time zone (for "today" and callback times). */
  timezone?: () => string;
}

export class TaskService {
  private live: LiveFeed;
  private timezone: () => string;

  constructor(
    private db: Db,
    o: TaskServiceOptions = {},
  ) {
    this.live = o.live ?? silentFeed;
    this.timezone = o.timezone ?? (() => "UTC");
  }

  /** The callback a caller asked for on a call: due when they said (if readable), assigned to the contact's owner. */
  scheduleCallback(input: { contactId: number; callId?: number; dueText?: string; dueAt?: Date; notes?: string; title: string }): Task {
    const dueAt = input.dueAt ?? (input.dueText ? parseDueText(input.dueText, new Date(), this.timezone()) : undefined);
    const assigneeId = this.db.select({ ownerId: contacts.ownerId }).from(contacts).where(eq(contacts.id, input.contactId)).get()?.ownerId ?? null;
    const task = this.db
      .insert(tasks)
      .values({ kind: "callback", contactId: input.contactId, callId: input.callId, title: input.title, dueText: input.dueText, dueAt, notes: input.notes, assigneeId })
      .returning()
      .get();
    this.announce(task.id);
    return task;
  }

  create(input: z.infer<typeof taskCreateSchema>, actor: Scope): TaskView {
    if (input.contactId) this.assertContact(input.contactId, actor);
    const assigneeId = input.assigneeId === undefined ? actor.userId : this.assignable(input.assigneeId, actor);
    const row = this.db
      .insert(tasks)
      .values({ kind: input.kind, title: input.title, dueAt: input.dueAt ?? null, contactId: input.contactId ?? null, assigneeId, notes: input.notes ?? null, createdById: actor.userId })
      .returning()
      .get();
    return this.announce(row.id);
  }

  update(taskId: number, patch: z.infer<typeof taskPatchSchema>, actor: Scope): TaskView {
    this.get(taskId, actor);
    const set: Partial<typeof tasks.$inferInsert> = {};
    if (patch.title !== undefined) set.title = patch.title;
    if (patch.notes !== undefined) set.notes = patch.notes;
    if (patch.dueAt !== undefined) set.dueAt = patch.dueAt;
    if (patch.contactId !== undefined) {
      if (patch.contactId) this.assertContact(patch.contactId, actor);
      set.contactId = patch.contactId;
    }
    if (patch.assigneeId !== undefined) set.assigneeId = this.assignable(patch.assigneeId, actor);
    if (patch.done !== undefined) {
      set.status = patch.done ? "done" : "open";
      set.doneAt = patch.done ? new Date() : null;
    }
    if (Object.keys(set).length) this.db.update(tasks).set(set).where(eq(tasks.id, taskId)).run();
    return this.get(taskId, actor);
  }

  delete(taskId: number, actor: Scope): TaskView {
    const task = this.get(taskId, actor);
    this.db.delete(tasks).where(eq(tasks.id, taskId)).run();
    return task;
  }

  get(taskId: number, actor: Scope): TaskView {
    const task = this.select().where(and(eq(tasks.id, taskId), this.scope(actor))).get();
    if (!task) throw new AppError("not_found", `no task ${taskId}`);
    return task;
  }

  list(q: TaskQuery, actor: Scope, now = new Date()): Page<TaskView> {
    const where: Array<SQL | undefined> = [this.scope(actor)];
    const open = eq(tasks.status, "open");
    const { start, end } = dayBounds(q.tz ?? this.timezone(), now);
    let order: SQL[] = [sql`${tasks.dueAt} IS NULL`, asc(tasks.dueAt), asc(tasks.id)];
    switch (q.view) {
      case "today":
        where.push(open, gte(tasks.dueAt, start), lt(tasks.dueAt, end));
        break;
      case "overdue":
        where.push(open, lt(tasks.dueAt, now));
        break;
      case "upcoming":
        where.push(open, gte(tasks.dueAt, end));
        break;
      case "open":
        where.push(open);
        break;
      case "done":
        where.push(eq(tasks.status, "done"));
        order = [desc(tasks.doneAt), desc(tasks.id)];
        break;
      case "all":
        order = [desc(tasks.createdAt), desc(tasks.id)];
    }
    if (q.assigneeId === "none") where.push(isNull(tasks.assigneeId));
    else if (q.assigneeId !== undefined) where.push(eq(tasks.assigneeId, q.assigneeId === "me" ? actor.userId : q.assigneeId));
    if (q.contactId) where.push(eq(tasks.contactId, q.contactId));
    if (q.kind) where.push(eq(tasks.kind, q.kind));
    const cond = and(...where.filter((w): w is SQL => w !== undefined));
    const items = this.select()
      .where(cond)
      .orderBy(...order)
      .limit(q.limit)
      .offset((q.page - 1) * q.limit)
      .all();
    const total = this.db.select({ n: count() }).from(tasks).where(cond).get()?.n ?? 0;
    return { items, total, page: q.page, limit: q.limit };
  }

  /** Tasks an agent may see: of their contacts, assigned to them, or contact-less ones they created. */
  private scope(actor: Scope): SQL | undefined {
    if (seesEverything(actor)) return undefined;
    return or(ownedByScope(this.db, tasks.contactId, actor), eq(tasks.assigneeId, actor.userId), and(isNull(tasks.contactId), eq(tasks.createdById, actor.userId)));
  }

  private assertContact(contactId: number, actor: Scope): void {
    const where = and(eq(contacts.id, contactId), seesEverything(actor) ? undefined : eq(contacts.ownerId, actor.userId));
    if (!this.db.select({ id: contacts.id }).from(contacts).where(where).get()) throw new AppError("not_found", `contactId: no contact ${contactId}`, "contactId");
  }

  /** An agent assigns only to themselves; owners and admins to any active user (null: nobody). */
  private assignable(assigneeId: number | null, actor: Scope): number | null {
    if (!seesEverything(actor)) {
      if (assigneeId !== actor.userId) throw new AppError("forbidden", "assigneeId: an agent can assign tasks only to themselves", "assigneeId");
      return assigneeId;
    }
    if (assigneeId === null) return null;
    const user = this.db.select({ active: users.active }).from(users).where(eq(users.id, assigneeId)).get();
    if (!user?.active) throw new AppError("validation", `assigneeId: no active user ${assigneeId}`, "assigneeId");
    return assigneeId;
  }

  /** The new task as the API shows it, published as task.created. */
  private announce(taskId: number): TaskView {
    const view = this.select().where(eq(tasks.id, taskId)).get()!;
    this.live.publish(LIVE.TASK_CREATED, { ...view }, view.contactId);
    return view;
  }

  private select() {
    const assignee = sql<string | null>`(SELECT coalesce(u.name, u.email) FROM ${users} AS u WHERE u.id = ${tasks.assigneeId})`;
    return this.db
      .select({
        id: tasks.id,
        title: tasks.title,
        kind: tasks.kind,
        notes: tasks.notes,
        dueAt: tasks.dueAt,
        dueText: tasks.dueText,
        done: sql<boolean>`${tasks.status} = 'done'`.mapWith(Boolean),
        doneAt: tasks.doneAt,
        contactId: tasks.contactId,
        contactName: contacts.name,
        contactPhone: contacts.phone,
        callId: tasks.callId,
        callSid: calls.callSid,
        assigneeId: tasks.assigneeId,
        assigneeName: assignee,
        createdById: tasks.createdById,
        createdAt: tasks.createdAt,
      })
      .from(tasks)
      .leftJoin(contacts, eq(contacts.id, tasks.contactId))
      .leftJoin(calls, eq(calls.id, tasks.callId));
  }
}
