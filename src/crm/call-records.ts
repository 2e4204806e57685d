/**
 * Calls in the CRM: created when Twilio rings the webhook, then kept up to date by the call as it happens
 * (implements call/'s CallObserver), and read back for the admin API.
 */
import { and, asc, count, desc, eq, gte, lte, max, sql, type SQL } from "drizzle-orm";
import type { CallObserver, CallMode, TurnRecord } from "../call/observer.ts";
import type { Db } from "../db/client.ts";
import { callEvents, calls, callTurns } from "../db/schema.ts";
import { LIVE, silentFeed, type LiveFeed } from "../live-events.ts";
import type { ContactService } from "./contacts.ts";
import { ownedByScope, seesEverything, type Scope } from "./scope.ts";

const GENERIC_ENDINGS = new Set(["hung_up", "caller_hung_up", "abandoned", "server_shutdown"]);

export type CallRow = typeof calls.$inferSelect;

export interface CallFilter {
  from?: Date;
  to?: Date;
  contactId?: number;
  outcome?: string;
  /** Only test calls (true) or only real ones (false). */
  isTest?: boolean;
  /** Only the calls of contacts this scope may see (an agent's own). */
  scope?: Scope;
  /** Only calls with an id up to this one (a stable snapshot while new calls arrive). */
  upToId?: number;
  page: number;
  limit: number;
}

export class CallRecords implements CallObserver {
  constructor(
    private db: Db,
    private contacts: ContactService,
    /** Where call.started / call.turn / call.ended are published for the admin app. */
    private live: LiveFeed = silentFeed,
  ) {}

  /** Live calls' row ids by CallSid: a call records an event or a turn many times a minute (dropped when it ends). */
  private ids = new Map<string, number>();
  /** The hot look-up prepared once (drizzle would build and prepare the SQL on every call otherwise). */
  private bySidQuery?: ReturnType<typeof this.prepareBySid>;

  private prepareBySid() {
    return this.db.select().from(calls).where(eq(calls.callSid, sql.placeholder("sid"))).prepare();
  }

  bySid(callSid: string): CallRow | undefined {
    this.bySidQuery ??= this.prepareBySid();
    return this.bySidQuery.get({ sid: callSid });
  }

  /**
   * The call has had its media stream (or is over): a second stream, or a replayed incoming_call, must not reopen it
   * — that would reset its record and overwrite its recording.
   */
  hasStreamed(callSid: string): boolean {
    const row = this.bySid(callSid);
    return !!row && (row.streamSid !== null || row.endedAt !== null || row.status !== "ringing");
  }

  /**
   * After a crash: every call still `in-progress` (no process is running it any more) becomes `interrupted`, ended
   * at its last recorded event or turn. Returns their CallSids.
   */
  closeInterrupted(): string[] {
    return this.db.transaction((tx) => {
      const open = tx.select().from(calls).where(eq(calls.status, "in-progress")).all();
      for (const row of open) {
        const lastEvent = tx.select({ at: max(callEvents.at) }).from(callEvents).where(eq(callEvents.callId, row.id)).get()?.at;
        const lastTurn = tx.select({ at: max(callTurns.at) }).from(callTurns).where(eq(callTurns.callId, row.id)).get()?.at;
        const from = row.answeredAt ?? row.startedAt;
        const endedAt = new Date(Math.max(from.getTime(), toMs(lastEvent), toMs(lastTurn)));
        tx.update(calls)
          .set({ status: "interrupted", outcome: row.outcome ?? "interrupted", endedAt, durationS: Math.round((endedAt.getTime() - from.getTime()) / 1000) })
          .where(eq(calls.id, row.id))
          .run();
      }
      return open.map((r) => r.callSid);
    });
  }

  /**
   * Called by the incoming-call webhook (and for the admin app's test calls, `isTest`): the caller's number finds or
   * creates the contact.
   */
  ringing(callSid: string, info: { from?: string; to?: string; direction?: string; isTest?: boolean }): CallRow {
    const existing = this.bySid(callSid);
    if (existing) return existing;
    const contact = info.from ? this.contacts.findOrCreateByPhone(info.from, "phone") : undefined;
    if (contact) this.contacts.touch(contact.id);
    return this.db
      .insert(calls)
      .values({ callSid, fromNumber: info.from, toNumber: info.to, direction: info.direction ?? "inbound", contactId: contact?.id, isTest: info.isTest ?? false })
      .onConflictDoNothing()
      .returning()
      .get() ?? this.bySid(callSid)!;
  }

  private idOf(callSid: string): number {
    const known = this.ids.get(callSid);
    if (known !== undefined) return known;
    const id = (this.bySid(callSid) ?? this.ringing(callSid, {})).id;
    // bounded: entries leave when their call ends; a process that lost track of calls (none should) stays small
    if (this.ids.size >= 10_000) this.ids.clear();
    this.ids.set(callSid, id);
    return id;
  }

  contactIdOf(callSid: string): number {
    const row = this.bySid(callSid);
    if (row?.contactId) return row.contactId;
    // a call with no caller id still gets a contact so the lead is kept
    const contact = this.contacts.findOrCreateByPhone(row?.fromNumber ?? `unknown:${callSid}`, "phone");
    this.db.update(calls).set({ contactId: contact.id }).where(eq(calls.callSid, callSid)).run();
    this.contacts.touch(contact.id);
    return contact.id;
  }

  started(callSid: string, info: { streamSid: string; mode: CallMode; from?: string; to?: string }): void {
    const row = this.bySid(callSid) ?? this.ringing(callSid, { from: info.from, to: info.to });
    this.db.update(calls).set({ status: "in-progress", mode: info.mode, streamSid: info.streamSid, answeredAt: new Date() }).where(eq(calls.id, row.id)).run();
    this.live.publish(LIVE.CALL_STARTED, { callSid, mode: info.mode, fromNumber: row.fromNumber ?? info.from ?? null, isTest: row.isTest, contactId: row.contactId }, row.contactId);
  }

  turn(callSid: string, t: TurnRecord): void {
    this.db
      .insert(callTurns)
      .values({ callId: this.idOf(callSid), role: t.role, text: t.text, at: t.at, interrupted: t.interrupted ?? false, heardMs: t.heardMs, latencyMs: t.latencyMs })
      .run();
    const contactId = this.bySid(callSid)?.contactId ?? null;
    this.live.publish(LIVE.CALL_TURN, { callSid, role: t.role, text: t.text, at: t.at.toISOString(), interrupted: t.interrupted ?? false, heardMs: t.heardMs ?? null, latencyMs: t.latencyMs ?? null }, contactId);
  }

  event(callSid: string, event: string, value?: number, data?: unknown): void {
    this.db.insert(callEvents).values({ callId: this.idOf(callSid), at: new Date(), event, value: value === undefined ? null : Math.round(value), data: data ?? null }).run();
  }

  recording(callSid: string, path: string): void {
    this.db.update(calls).set({ recordingPath: path }).where(eq(calls.callSid, callSid)).run();
  }

  modeChanged(callSid: string, mode: CallMode): void {
    this.db.update(calls).set({ mode }).where(eq(calls.callSid, callSid)).run();
  }

  /** Records a specific outcome during the call (lead_saved, callback_scheduled); `ended` keeps it over a generic one. */
  setOutcome(callSid: string, outcome: string): void {
    this.db.update(calls).set({ outcome }).where(eq(calls.callSid, callSid)).run();
  }

  ended(callSid: string, info: { outcome: string; status?: "completed" | "failed" }): void {
    this.ids.delete(callSid);
    const row = this.bySid(callSid);
    if (!row) return;
    const endedAt = new Date();
    const from = row.answeredAt ?? row.startedAt;
    const saved = this.db
      .update(calls)
      .set({
        status: info.status ?? "completed",
        // a specific outcome recorded during the call (lead_saved, callback_scheduled) beats a generic ending
        outcome: row.outcome && GENERIC_ENDINGS.has(info.outcome) ? row.outcome : info.outcome,
        endedAt,
        durationS: Math.max(0, Math.round((endedAt.getTime() - from.getTime()) / 1000)),
      })
      .where(eq(calls.id, row.id))
      .returning()
      .get();
    this.live.publish(LIVE.CALL_ENDED, { callSid, outcome: saved?.outcome ?? info.outcome, status: saved?.status ?? null, durationS: saved?.durationS ?? null }, row.contactId);
  }

  list(f: CallFilter): { calls: CallRow[]; total: number; page: number; limit: number } {
    const where: SQL[] = [];
    if (f.from) where.push(gte(calls.startedAt, f.from));
    if (f.to) where.push(lte(calls.startedAt, f.to));
    if (f.contactId) where.push(eq(calls.contactId, f.contactId));
    if (f.outcome) where.push(eq(calls.outcome, f.outcome));
    if (f.isTest !== undefined) where.push(eq(calls.isTest, f.isTest));
    const scoped = f.scope && ownedByScope(this.db, calls.contactId, f.scope);
    if (scoped) where.push(scoped);
    if (f.upToId !== undefined) where.push(lte(calls.id, f.upToId));
    const cond = where.length ? and(...where) : undefined;
    const rows = this.db
      .select()
      .from(calls)
      .where(cond)
      .orderBy(desc(calls.startedAt), desc(calls.id))
      .limit(f.limit)
      .offset((f.page - 1) * f.limit)
      .all();
    const total = this.db.select({ n: count() }).from(calls).where(cond).get()?.n ?? 0;
    return { calls: rows, total, page: f.page, limit: f.limit };
  }

  detail(callSid: string) {
    const call = this.bySid(callSid);
    if (!call) return undefined;
    const turns = this.db.select().from(callTurns).where(eq(callTurns.callId, call.id)).orderBy(asc(callTurns.at), asc(callTurns.id)).all();
    const events = this.db.select().from(callEvents).where(eq(callEvents.callId, call.id)).orderBy(asc(callEvents.id)).all();
    return { call, turns, events };
  }

  /** Whether `scope` may see this call: owners and admins all, an agent those of their own contacts. */
  visibleTo(call: CallRow, scope: Scope): boolean {
    return seesEverything(scope) || (call.contactId !== null && this.contacts.ownerOf(call.contactId) === scope.userId);
  }

  /** Calls matching `f` (paging ignored), newest first, `batch` rows at a time — for the CSV export. */
  *each(f: Omit<CallFilter, "page" | "limit">, batch = 500): Generator<CallRow> {
    // calls that arrive during the export are left out, so the pages below do not shift
    const upToId = this.db.select({ id: max(calls.id) }).from(calls).get()?.id ?? 0;
    for (let page = 1; ; page++) {
      const rows = this.list({ ...f, upToId, page, limit: batch }).calls;
      yield* rows;
      if (rows.length < batch) return;
    }
  }
}

/** `max()` over a timestamp column comes back as the stored number (or null), not a Date. */
const toMs = (v: unknown): number => (v instanceof Date ? v.getTime() : typeof v === "number" ? v : 0);
