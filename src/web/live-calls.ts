/**
 * Calls in progress, kept current from the live feed (call.started / call.turn / call.ended) for the live page
 * and the menu's counter. Seeded from the calls list and each call's turns so far; re-read after a reconnect.
 * An ended call stays listed for a while (ENDED_KEPT_MS) so the reader sees how it ended.
 */
import { signal } from "@preact/signals";
import { api } from "./api.ts";
import { RECONNECTED } from "./live.ts";
import type { CallDetail, CallRow, LiveEvent, Turn } from "./types.ts";

export interface LiveCall {
  callSid: string;
  fromNumber: string | null;
  contactId: number | null;
  mode: string | null;
  isTest: boolean;
  startedAt: string;
  turns: Turn[];
  ended?: { outcome: string | null; durationS: number | null; at: string };
}

export const ENDED_KEPT_MS = 5 * 60_000;
export const liveCalls = signal<LiveCall[]>([]);

const byStart = (a: LiveCall, b: LiveCall) => b.startedAt.localeCompare(a.startedAt);
const put = (call: LiveCall) => (liveCalls.value = [call, ...liveCalls.value.filter((c) => c.callSid !== call.callSid)].sort(byStart));
const patch = (callSid: string, f: (c: LiveCall) => LiveCall) => (liveCalls.value = liveCalls.value.map((c) => (c.callSid === callSid ? f(c) : c)));

function fromDetail(d: CallDetail): LiveCall {
  const c = d.call;
  return {
    callSid: c.callSid,
    fromNumber: c.fromNumber,
    contactId: c.contactId,
    mode: c.mode,
    isTest: c.isTest,
    startedAt: c.answeredAt ?? c.startedAt,
    turns: d.turns,
    ended: c.status === "in-progress" ? undefined : { outcome: c.outcome, durationS: c.durationS, at: c.endedAt ?? c.startedAt },
  };
}

/** Reads the calls in progress (and those that ended a moment ago) with their turns. */
export async function loadLiveCalls(): Promise<void> {
  const { calls } = await api<{ calls: CallRow[] }>("/api/calls?limit=50");
  const cutoff = Date.now() - ENDED_KEPT_MS;
  const wanted = calls.filter((c) => c.status === "in-progress" || (c.endedAt && Date.parse(c.endedAt) > cutoff && c.answeredAt));
  const details = await Promise.all(wanted.map((c) => api<CallDetail>(`/api/calls/${encodeURIComponent(c.callSid)}`).catch(() => undefined)));
  liveCalls.value = details.filter((d): d is CallDetail => !!d).map(fromDetail).sort(byStart);
}

/** Applies one live event; returns whether it was about calls. */
export function applyLiveEvent(e: LiveEvent): boolean {
  const d = e.data;
  switch (e.type) {
    case "call.started":
      put({ callSid: d.callSid, fromNumber: d.fromNumber ?? null, contactId: d.contactId ?? e.contactId, mode: d.mode ?? null, isTest: !!d.isTest, startedAt: e.at, turns: [] });
      return true;
    case "call.turn": {
      const turn: Turn = { role: d.role, text: d.text, at: d.at, interrupted: !!d.interrupted, heardMs: d.heardMs ?? null, latencyMs: d.latencyMs ?? null };
      if (!liveCalls.value.some((c) => c.callSid === d.callSid)) put({ callSid: d.callSid, fromNumber: null, contactId: e.contactId, mode: null, isTest: false, startedAt: e.at, turns: [] });
      patch(d.callSid, (c) => ({ ...c, turns: [...c.turns, turn] }));
      return true;
    }
    case "call.ended":
      patch(d.callSid, (c) => ({ ...c, ended: { outcome: d.outcome ?? null, durationS: d.durationS ?? null, at: e.at } }));
      return true;
    case RECONNECTED:
      void loadLiveCalls().catch(() => undefined);
      return true;
  }
  return false;
}

/** Drops calls that ended more than ENDED_KEPT_MS ago. */
export function pruneLiveCalls(now = Date.now()) {
  const kept = liveCalls.value.filter((c) => !c.ended || now - Date.parse(c.ended.at) < ENDED_KEPT_MS);
  if (kept.length !== liveCalls.value.length) liveCalls.value = kept;
}
