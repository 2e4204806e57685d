/**
 * The overview's numbers, counted in the business's time zone (or the one asked for) and within the asker's scope
 * (an agent's numbers cover the contacts assigned to them):
 * - today: calls, answered calls (in progress included), missed calls (with the latest of them), new leads, calls in
 *   progress;
 * - tasks: open, overdue, due today (the task list's own views);
 * - reply latency per day: p50/p95 of the agent's reply time (caller's last voiced frame → first reply frame) over
 *   the agent turns of that local day;
 * - calls per local hour: today's, and the average day of the window's earlier days.
 *
 * A call is **missed** when the caller did not get a conversation with the agent: it went to voicemail, the caller
 * hung up without saying anything the recognizer understood, the media stream never connected (still ringing a
 * minute after the webhook), or the call failed. Calls in progress are never missed. Test calls from the admin app
 * are left out unless asked for.
 *
 * @example stats.overview({ days: 14, tz: "Asia/Jerusalem", includeTests: false }, scope)
 */
import { and, count, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { calls, callTurns, contacts } from "../db/schema.ts";
import { contactsInScope, ownedByScope, type Scope } from "./scope.ts";
import type { TaskService } from "./tasks.ts";
import { dayBounds, isTimeZone, localParts, zonedTime } from "./time-zone.ts";

export const statsQuerySchema = z.object({
  /** How many local days the series cover, today included. */
  days: z.coerce.number().int().min(1).max(90).default(14),
  tz: z.string().refine(isTimeZone, "must be an IANA time zone such as Asia/Jerusalem").optional(),
  includeTests: z.enum(["true", "false"]).transform((v) => v === "true").default(false),
});
export type StatsQuery = z.infer<typeof statsQuerySchema>;

/** A call still ringing this long after the webhook never got its media stream: missed. */
export const UNANSWERED_AFTER_MS = 60_000;
/** How many of today's missed calls the overview lists. */
const MISSED_LISTED = 10;

export type MissedReason = "voicemail" | "silent" | "unanswered" | "failed";

export interface MissedCall {
  callSid: string;
  fromNumber: string | null;
  contactId: number | null;
  contactName: string | null;
  startedAt: Date;
  reason: MissedReason;
}

export interface DayLatency {
  /** The local date, YYYY-MM-DD. */
  date: string;
  /** Agent turns with a measured reply time. */
  turns: number;
  p50: number | null;
  p95: number | null;
}

export interface Overview {
  tz: string;
  days: number;
  /** Start of the first day and end of today, as instants. */
  from: Date;
  to: Date;
  today: { date: string; calls: number; answered: number; missed: number; newLeads: number; inProgress: number };
  missedCalls: MissedCall[];
  tasks: { open: number; overdue: number; today: number };
  latency: DayLatency[];
  callsByHour: { today: number[]; average: number[] };
}

/** Nearest-rank percentile of ascending `sorted` (null when empty). */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Index of the bucket [bounds[i], bounds[i+1]) that holds `t`, or -1. */
function bucketOf(bounds: number[], t: number): number {
  let lo = 0;
  let hi = bounds.length - 1;
  if (t < bounds[0]! || t >= bounds[hi]!) return -1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (t >= bounds[mid]!) lo = mid;
    else hi = mid;
  }
  return lo;
}

const two = (n: number) => String(n).padStart(2, "0");

export class StatsService {
  constructor(
    private db: Db,
    private o: { tasks: TaskService; timezone: () => string },
  ) {}

  /** Whether a call counts as missed, and why (undefined: it was answered or is still going on). */
  static missedReason(c: { status: string; outcome: string | null; mode: string | null; endedAt: Date | null; startedAt: Date; callerSpoke: boolean }, now: Date): MissedReason | undefined {
    if (c.status === "in-progress") return undefined;
    if (c.status === "ringing") return now.getTime() - c.startedAt.getTime() >= UNANSWERED_AFTER_MS ? "unanswered" : undefined;
    if (c.mode === "voicemail" || c.outcome === "voicemail") return "voicemail";
    if (c.status === "failed" || c.outcome === "error") return "failed";
    if (!c.callerSpoke && c.outcome !== "transferred") return "silent";
    return undefined;
  }

  overview(q: StatsQuery, scope: Scope, now = new Date()): Overview {
    const tz = q.tz ?? this.o.timezone();
    const today = localParts(tz, now);
    // day i of the window starts at dayStarts[i]; the last boundary is the end of today
    const dayStarts = Array.from({ length: q.days + 1 }, (_, i) => zonedTime(tz, today.year, today.month, today.day - (q.days - 1) + i).getTime());
    const from = new Date(dayStarts[0]!);
    const { start: todayStart, end: todayEnd } = dayBounds(tz, now);

    const callScope = ownedByScope(this.db, calls.contactId, scope);
    const callWhere = (lo: Date, hi: Date): SQL | undefined =>
      and(gte(calls.startedAt, lo), lt(calls.startedAt, hi), q.includeTests ? undefined : eq(calls.isTest, false), callScope);

    // today's calls, each with whether the caller said anything the recognizer understood
    const todays = this.db
      .select({
        callSid: calls.callSid,
        fromNumber: calls.fromNumber,
        contactId: calls.contactId,
        contactName: contacts.name,
        startedAt: calls.startedAt,
        endedAt: calls.endedAt,
        status: calls.status,
        outcome: calls.outcome,
        mode: calls.mode,
        callerSpoke: sql<number>`EXISTS (SELECT 1 FROM ${callTurns} WHERE ${callTurns.callId} = ${calls.id} AND ${callTurns.role} = 'caller')`.mapWith(Boolean),
      })
      .from(calls)
      .leftJoin(contacts, eq(contacts.id, calls.contactId))
      .where(callWhere(todayStart, todayEnd))
      .orderBy(sql`${calls.startedAt} DESC`, sql`${calls.id} DESC`)
      .all();
    const missed: MissedCall[] = [];
    let answered = 0;
    let inProgress = 0;
    for (const c of todays) {
      if (c.status === "in-progress") inProgress++;
      const reason = StatsService.missedReason(c, now);
      if (reason) missed.push({ callSid: c.callSid, fromNumber: c.fromNumber, contactId: c.contactId, contactName: c.contactName, startedAt: c.startedAt, reason });
      else if (c.status !== "ringing") answered++;
    }

    const newLeads =
      this.db
        .select({ n: count() })
        .from(contacts)
        .where(and(gte(contacts.createdAt, todayStart), lt(contacts.createdAt, todayEnd), contactsInScope(scope)))
        .get()?.n ?? 0;

    const taskTotal = (view: "open" | "overdue" | "today") => this.o.tasks.list({ view, tz, page: 1, limit: 1 }, scope, now).total;

    // reply latency: every measured agent turn of the window, bucketed by local day
    const turnRows = this.db
      .select({ at: callTurns.at, ms: callTurns.latencyMs })
      .from(callTurns)
      .innerJoin(calls, eq(calls.id, callTurns.callId))
      .where(and(eq(callTurns.role, "agent"), sql`${callTurns.latencyMs} IS NOT NULL`, gte(callTurns.at, from), lt(callTurns.at, todayEnd), q.includeTests ? undefined : eq(calls.isTest, false), callScope))
      .all();
    const perDay: number[][] = Array.from({ length: q.days }, () => []);
    for (const r of turnRows) {
      const i = bucketOf(dayStarts, r.at.getTime());
      if (i >= 0 && r.ms !== null) perDay[i]!.push(r.ms);
    }
    const latency: DayLatency[] = perDay.map((ms, i) => {
      ms.sort((a, b) => a - b);
      const p = localParts(tz, new Date(dayStarts[i]!));
      return { date: `${p.year}-${two(p.month)}-${two(p.day)}`, turns: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95) };
    });

    // calls per local hour: boundaries per day, so a day with a clock change still has its hours right
    const hourStarts: number[][] = [];
    for (let i = 0; i < q.days; i++) {
      const p = localParts(tz, new Date(dayStarts[i]!));
      hourStarts.push(Array.from({ length: 25 }, (_, h) => zonedTime(tz, p.year, p.month, p.day, h).getTime()));
    }
    const perHour: number[][] = Array.from({ length: q.days }, () => Array(24).fill(0));
    const starts = this.db.select({ at: calls.startedAt }).from(calls).where(callWhere(from, todayEnd)).all();
    for (const { at } of starts) {
      const day = bucketOf(dayStarts, at.getTime());
      if (day < 0) continue;
      const hour = bucketOf(hourStarts[day]!, at.getTime());
      if (hour >= 0) perHour[day]![hour]!++;
    }
    const earlier = perHour.slice(0, -1);
    const average = Array.from({ length: 24 }, (_, h) => (earlier.length ? Math.round((earlier.reduce((n, d) => n + d[h]!, 0) / earlier.length) * 100) / 100 : 0));

    return {
      tz,
      days: q.days,
      from,
      to: todayEnd,
      today: { date: latency.at(-1)!.date, calls: todays.length, answered, missed: missed.length, newLeads, inProgress },
      missedCalls: missed.slice(0, MISSED_LISTED),
      tasks: { open: taskTotal("open"), overdue: taskTotal("overdue"), today: taskTotal("today") },
      latency,
      callsByHour: { today: perHour.at(-1)!, average },
    };
  }
}
