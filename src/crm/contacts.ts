/** Contacts and leads: found or created by phone number, enriched by what callers tell the agent. */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contacts } from "../db/schema.ts";
import { normalizePhone } from "./phone.ts";

export type Contact = typeof contacts.$inferSelect;

export interface LeadFields {
  name?: string;
  need?: string;
  area?: string;
  budget?: string;
  notes?: string;
  email?: string;
}

export class ContactService {
  constructor(private db: Db) {}

  byId(id: number): Contact | undefined {
    return this.db.select().from(contacts).where(eq(contacts.id, id)).get();
  }

  byPhone(raw: string): Contact | undefined {
    const phone = normalizePhone(raw) ?? raw.trim();
    return this.db.select().from(contacts).where(eq(contacts.phone, phone)).get();
  }

  /** The contact with this number, created as a lead (with `source`) when there is none. */
  findOrCreateByPhone(raw: string, source: string): Contact {
    const existing = this.byPhone(raw);
    if (existing) return existing;
    const phone = normalizePhone(raw) ?? raw.trim();
    return this.db
      .insert(contacts)
      .values({ phone, source, status: "new" })
      .onConflictDoUpdate({ target: contacts.phone, set: { updatedAt: new Date() } })
      .returning()
      .get();
  }

  /** Adds what was learned; notes accumulate, other fields are replaced only by non-empty values. */
  saveLead(id: number, fields: LeadFields): Contact {
    const current = this.byId(id);
    if (!current) throw new Error(`contact ${id} not found`);
    const set: Partial<typeof contacts.$inferInsert> = { updatedAt: new Date() };
    for (const key of ["name", "need", "area", "budget", "email"] as const) {
      const v = fields[key]?.trim();
      if (v) set[key] = v;
    }
    const note = fields.notes?.trim();
    if (note) set.notes = current.notes ? `${current.notes}\n${note}` : note;
    return this.db.update(contacts).set(set).where(eq(contacts.id, id)).returning().get();
  }
}
