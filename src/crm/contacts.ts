/** Contacts and leads: found or created by phone number, enriched by what callers tell the agent. */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contacts, type Contact } from "../db/schema.ts";
import { IdentityService } from "./identities.ts";

export type { Contact };

export interface LeadFields {
  name?: string;
  need?: string;
  area?: string;
  budget?: string;
  notes?: string;
  email?: string;
}

export class ContactService {
  readonly identities: IdentityService;

  constructor(private db: Db) {
    this.identities = new IdentityService(db);
  }

  byId(id: number): Contact | undefined {
    return this.db.select().from(contacts).where(eq(contacts.id, id)).get();
  }

  /** The contact with this number (its primary or any other it is known by), in any written form. */
  byPhone(raw: string): Contact | undefined {
    return this.identities.find({ kind: "phone", value: raw });
  }

  /** The contact with this number, created as a new lead (with `source`) when there is none. */
  findOrCreateByPhone(raw: string, source: string): Contact {
    return this.identities.resolve({ kind: "phone", value: raw }, { source });
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
