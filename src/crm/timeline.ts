/**
 * A contact's timeline: its calls, WhatsApp messages, tasks, notes, payments and pipeline moves in one list,
 * newest first, paged. Each source is read already sorted and limited to what the requested page can need
 * (page × limit rows), then the sources are merged — the page is exact without reading everything.
 */
import { count, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { calls, contactStatusHistory, messages, notes, payments, tasks, users } from "../db/schema.ts";
import type { Page } from "./contact-search.ts";

export const TIMELINE_KINDS = ["call", "message", "task", "note", "payment", "status"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineItem {
  kind: TimelineKind;
  /** The record's id (a call's CallSid). */
  id: number | string;
  at: Date;
  data: Record<string, unknown>;
}

interface Source {
  kind: TimelineKind;
  rows(contactId: number, n: number): TimelineItem[];
  total(contactId: number): number;
}

function sources(db: Db): Source[] {
  const counter = (table: typeof calls | typeof messages | typeof tasks | typeof notes | typeof payments | typeof contactStatusHistory) => (contactId: number) =>
    db.select({ n: count() }).from(table).where(eq(table.contactId, contactId)).get()?.n ?? 0;
  return [
    {
      kind: "call",
      total: counter(calls),
      rows: (contactId, n) =>
        db.select().from(calls).where(eq(calls.contactId, contactId)).orderBy(desc(calls.startedAt), desc(calls.id)).limit(n).all()
          .map((c) => ({ kind: "call", id: c.callSid, at: c.startedAt, data: { callSid: c.callSid, direction: c.direction, status: c.status, outcome: c.outcome, mode: c.mode, fromNumber: c.fromNumber, durationS: c.durationS, isTest: c.isTest, hasRecording: Boolean(c.recordingPath) } })),
    },
    {
      kind: "message",
      total: counter(messages),
      rows: (contactId, n) =>
        db.select().from(messages).where(eq(messages.contactId, contactId)).orderBy(desc(messages.at), desc(messages.id)).limit(n).all()
          .map((m) => ({ kind: "message", id: m.id, at: m.at, data: { direction: m.direction, channel: m.channel, text: m.text, media: m.media?.map(({ mime, bytes, name }) => ({ mime, bytes, name })) ?? null, status: m.status } })),
    },
    {
      kind: "task",
      total: counter(tasks),
      rows: (contactId, n) =>
        db.select().from(tasks).where(eq(tasks.contactId, contactId)).orderBy(desc(tasks.createdAt), desc(tasks.id)).limit(n).all()
          .map((t) => ({ kind: "task", id: t.id, at: t.createdAt, data: { title: t.title, taskKind: t.kind, dueAt: t.dueAt, dueText: t.dueText, done: t.status === "done", doneAt: t.doneAt, assigneeId: t.assigneeId, notes: t.notes } })),
    },
    {
      kind: "note",
      total: counter(notes),
      rows: (contactId, n) =>
        db.select({ note: notes, authorName: users.name, authorEmail: users.email }).from(notes).leftJoin(users, eq(users.id, notes.authorId)).where(eq(notes.contactId, contactId)).orderBy(desc(notes.createdAt), desc(notes.id)).limit(n).all()
          .map(({ note, authorName, authorEmail }) => ({ kind: "note", id: note.id, at: note.createdAt, data: { text: note.text, authorId: note.authorId, authorName: authorName ?? authorEmail } })),
    },
    {
      kind: "payment",
      total: counter(payments),
      rows: (contactId, n) =>
        db.select().from(payments).where(eq(payments.contactId, contactId)).orderBy(desc(payments.createdAt), desc(payments.id)).limit(n).all()
          .map((p) => ({ kind: "payment", id: p.id, at: p.createdAt, data: { status: p.status, amount: p.amount, currency: p.currency, provider: p.provider, description: p.description, paidAt: p.paidAt } })),
    },
    {
      kind: "status",
      total: counter(contactStatusHistory),
      rows: (contactId, n) =>
        db.select().from(contactStatusHistory).where(eq(contactStatusHistory.contactId, contactId)).orderBy(desc(contactStatusHistory.at), desc(contactStatusHistory.id)).limit(n).all()
          .map((h) => ({ kind: "status", id: h.id, at: h.at, data: { from: h.fromStatus, to: h.toStatus, actorId: h.actorId } })),
    },
  ];
}

/** The contact's timeline, newest first; `kinds` narrows it (e.g. only calls and notes). */
export function contactTimeline(db: Db, contactId: number, o: { page: number; limit: number; kinds?: TimelineKind[] }): Page<TimelineItem> {
  const chosen = sources(db).filter((s) => !o.kinds?.length || o.kinds.includes(s.kind));
  const need = o.page * o.limit;
  const all = chosen.flatMap((s) => s.rows(contactId, need));
  // newest first; equal times keep a stable order by kind then id
  all.sort((a, b) => b.at.getTime() - a.at.getTime() || a.kind.localeCompare(b.kind) || String(b.id).localeCompare(String(a.id), undefined, { numeric: true }));
  const total = chosen.reduce((n, s) => n + s.total(contactId), 0);
  return { items: all.slice((o.page - 1) * o.limit, need), total, page: o.page, limit: o.limit };
}
