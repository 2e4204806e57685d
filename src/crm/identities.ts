/**
 * Finding a person by any address they reach the business from: a phone number in any form, a WhatsApp LID
 * (`…@lid`), a Twilio business-scoped user id. A phone number lives in `contacts.phone` (the primary) or in
 * `contact_identities` (extra numbers, e.g. kept from a merge); every other address is an identity.
 * When one person turns out to have two contacts (WhatsApp maps a LID to a number), `link` merges them.
 *
 * @example identities.resolve({ kind: "lid", value: "12345@lid" }, { source: "whatsapp", name: "Dana" })
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contactIdentities, contacts, type Contact, type IdentityKind } from "../db/schema.ts";
import { mergeContacts } from "./contact-merge.ts";
import { normalizePhone } from "./phone.ts";

export interface Identity {
  kind: IdentityKind;
  value: string;
}

/** The stored form of an address: E.164 for numbers (as given when it cannot be read), lower-case otherwise. */
export function canonical(identity: Identity): Identity {
  const raw = identity.value.trim();
  if (identity.kind === "phone" || identity.kind === "whatsapp") return { kind: "phone", value: normalizePhone(raw) ?? raw };
  return { kind: identity.kind, value: raw.toLowerCase() };
}

export class IdentityService {
  constructor(private db: Db) {}

  /** The contact reached at this address, if any. */
  find(identity: Identity): Contact | undefined {
    return findContact(this.db, canonical(identity));
  }

  /** The contact reached at this address, created as a new lead (with `source`, and `name` if known) when there is none. */
  resolve(identity: Identity, o: { source: string; name?: string }): Contact {
    const id = canonical(identity);
    return this.db.transaction((tx) => {
      const existing = findContact(tx, id);
      if (existing) {
        if (!existing.name && o.name) return tx.update(contacts).set({ name: o.name, updatedAt: new Date() }).where(eq(contacts.id, existing.id)).returning().get();
        return existing;
      }
      const created = tx
        .insert(contacts)
        .values({ phone: id.kind === "phone" ? id.value : null, name: o.name ?? null, source: o.source, status: "new" })
        .returning()
        .get();
      if (id.kind !== "phone") tx.insert(contactIdentities).values({ contactId: created.id, kind: id.kind, value: id.value }).run();
      return created;
    });
  }

  /**
   * Records that `contactId` is also reached at `identity`. If another contact already owns that address, the two
   * are one person: they are merged into the older contact, which is returned.
   */
  link(contactId: number, identity: Identity): Contact {
    const id = canonical(identity);
    const owner = this.find(id);
    if (owner && owner.id !== contactId) {
      const self = this.db.select().from(contacts).where(eq(contacts.id, contactId)).get();
      // the older contact survives (creation time, then id: two rows can share a millisecond)
      const selfFirst = self && (self.createdAt < owner.createdAt || (+self.createdAt === +owner.createdAt && self.id < owner.id));
      const [keep, drop] = selfFirst ? [contactId, owner.id] : [owner.id, contactId];
      return mergeContacts(this.db, keep, drop);
    }
    const self = this.db.select().from(contacts).where(eq(contacts.id, contactId)).get();
    if (!self) throw new Error(`contact ${contactId} not found`);
    if (owner) return self;
    if (id.kind === "phone" && !self.phone) return this.db.update(contacts).set({ phone: id.value, updatedAt: new Date() }).where(eq(contacts.id, contactId)).returning().get();
    this.db.insert(contactIdentities).values({ contactId, kind: id.kind, value: id.value }).onConflictDoNothing().run();
    return self;
  }

  /** Every address of a contact, the primary phone first. */
  of(contactId: number): Identity[] {
    const self = this.db.select({ phone: contacts.phone }).from(contacts).where(eq(contacts.id, contactId)).get();
    const rest = this.db.select({ kind: contactIdentities.kind, value: contactIdentities.value }).from(contactIdentities).where(eq(contactIdentities.contactId, contactId)).all();
    return [...(self?.phone ? [{ kind: "phone" as const, value: self.phone }] : []), ...rest];
  }
}

/** Looks an address (already canonical) up with `q` — the database or a transaction. */
function findContact(q: Pick<Db, "select">, { kind, value }: Identity): Contact | undefined {
  if (kind === "phone") {
    const primary = q.select().from(contacts).where(eq(contacts.phone, value)).get();
    if (primary) return primary;
  }
  const row = q
    .select({ contact: contacts })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(and(eq(contactIdentities.kind, kind), eq(contactIdentities.value, value)))
    .get();
  return row?.contact;
}
