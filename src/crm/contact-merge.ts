/**
 * Merges two contacts into one, in a single transaction: everything that belongs to `dropId` (calls, messages,
 * tasks, notes, payments, pipeline history, identities) moves to `keepId`; the dropped contact's phone number is kept
 * as an identity of the survivor, so a later call or message from that number still finds it. Fields the survivor
 * lacks are filled from the dropped contact; tags and custom fields are united (the survivor's values win); notes
 * are joined. Used by the admin app's merge and when WhatsApp reveals that a LID and a phone number are one person.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { calls, contactIdentities, contacts, contactStatusHistory, messages, notes, payments, tasks, type Contact } from "../db/schema.ts";
import { AppError } from "../errors.ts";


/** Tables whose rows belong to a contact through `contact_id`. */
const OWNED = [calls, messages, tasks, notes, payments, contactStatusHistory, contactIdentities] as const;

export function mergeContacts(db: Db, keepId: number, dropId: number): Contact {
  if (keepId === dropId) throw new AppError("validation", "cannot merge a contact with itself", "dropId");
  return db.transaction((tx) => {
    const keep = tx.select().from(contacts).where(eq(contacts.id, keepId)).get();
    const drop = tx.select().from(contacts).where(eq(contacts.id, dropId)).get();
    if (!keep) throw new AppError("not_found", `no contact ${keepId}`, "keepId");
    if (!drop) throw new AppError("not_found", `no contact ${dropId}`, "dropId");

    for (const table of OWNED) tx.update(table).set({ contactId: keepId }).where(eq(table.contactId, dropId)).run();

    const set: Partial<typeof contacts.$inferInsert> = { updatedAt: new Date() };
    for (const key of ["name", "email", "need", "area", "budget", "source"] as const) if (!keep[key] && drop[key]) set[key] = drop[key];
    if (drop.notes) set.notes = keep.notes ? `${keep.notes}\n${drop.notes}` : drop.notes;
    set.tags = [...new Set([...keep.tags, ...drop.tags])];
    set.fields = { ...drop.fields, ...keep.fields };
    set.ownerId = keep.ownerId ?? drop.ownerId;
    set.createdAt = keep.createdAt < drop.createdAt ? keep.createdAt : drop.createdAt;
    const lastContact = Math.max(keep.lastContactAt?.getTime() ?? 0, drop.lastContactAt?.getTime() ?? 0);
    if (lastContact) set.lastContactAt = new Date(lastContact);

    // the phone column is unique: the dropped row goes first, then its number lands on the survivor
    tx.delete(contacts).where(eq(contacts.id, dropId)).run();
    if (drop.phone && !keep.phone) set.phone = drop.phone;
    else if (drop.phone && drop.phone !== keep.phone)
      tx.insert(contactIdentities).values({ contactId: keepId, kind: "phone", value: drop.phone }).onConflictDoNothing().run();
    return tx.update(contacts).set(set).where(eq(contacts.id, keepId)).returning().get();
  });
}
