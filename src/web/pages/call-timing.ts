/**
 * Where each turn of a call is in its recording (seconds from the recording's start, which is when the media
 * stream started — the call's answeredAt). The call records a turn when it is over: a caller turn at end of
 * utterance (after `EoU_ms` of silence, recorded as an event just before it), an agent turn when its audio has
 * been played (`heardMs` of it, or when it was interrupted). So an agent turn starts `heardMs` before its time; a
 * caller turn starts where the previous turn ended (at most 4 s before the caller's last word).
 */
import type { CallDetail } from "../types.ts";

const CALLER_LOOKBACK_S = 4;

export function turnStarts(d: CallDetail): number[] {
  const t0 = Date.parse(d.call.answeredAt ?? d.call.startedAt);
  const rel = (iso: string) => (Date.parse(iso) - t0) / 1000;
  const eous = d.events.filter((e) => e.event === "EoU_ms" && e.value != null).map((e) => ({ at: rel(e.at), ms: e.value! }));
  let prevEnd = 0;
  return d.turns.map((turn) => {
    const end = rel(turn.at);
    let start: number;
    if (turn.role === "agent") start = end - (turn.heardMs ?? 0) / 1000;
    else {
      // the end-of-utterance event recorded just before this turn says how long the caller had been silent
      const eou = eous.filter((e) => e.at <= end + 0.05).at(-1);
      const lastWord = end - (eou && end - eou.at < 1 ? eou.ms / 1000 : 0.5);
      start = Math.max(prevEnd, lastWord - CALLER_LOOKBACK_S);
    }
    prevEnd = end;
    return Math.max(0, Math.round(start * 10) / 10);
  });
}
