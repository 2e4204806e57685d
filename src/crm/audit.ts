/** The audit log: who did what, when, from where. */
import type { Db } from "../db/client.ts";
import { auditLog } from "../db/schema.ts";

export class AuditService {
  constructor(private db: Db) {}

  record(action: string, entry: { actorId?: number | null; target?: string; ip?: string; details?: unknown } = {}): void {
    this.db
      .insert(auditLog)
      .values({ action, actorId: entry.actorId ?? null, target: entry.target, ip: entry.ip, details: entry.details ?? null })
      .run();
  }
}
