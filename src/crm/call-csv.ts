/** The calls list as a CSV download (same filters and scope as GET /api/calls), times in the business's time zone. */
import type { CallFilter, CallRecords } from "./call-records.ts";
import type { ContactService } from "./contacts.ts";
import { csvStream } from "./csv.ts";
import { formatLocal } from "./time-zone.ts";

const HEADER = ["callSid", "startedAt", "answeredAt", "endedAt", "durationS", "direction", "status", "outcome", "mode", "fromNumber", "toNumber", "contactId", "contactName", "isTest", "hasRecording"];

export function callsCsv(calls: CallRecords, contacts: ContactService, filter: Omit<CallFilter, "page" | "limit">, timezone: string): ReadableStream<Uint8Array> {
  const when = (d: Date | null) => (d ? formatLocal(timezone, d) : "");
  const names = new Map<number, string>();
  const nameOf = (id: number | null) => {
    if (id === null) return "";
    if (!names.has(id)) names.set(id, contacts.byId(id)?.name ?? "");
    return names.get(id);
  };
  function* rows(): Generator<unknown[]> {
    for (const c of calls.each(filter))
      yield [c.callSid, when(c.startedAt), when(c.answeredAt), when(c.endedAt), c.durationS, c.direction, c.status, c.outcome, c.mode, c.fromNumber, c.toNumber, c.contactId, nameOf(c.contactId), c.isTest, Boolean(c.recordingPath)];
  }
  return csvStream(HEADER, rows());
}
