/**
 * Notes on a contact, written by the team. Whoever may see the contact reads its notes; a note is changed or
 * deleted by its author, or by an owner or admin.
 */
import { and, count, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { notes, users } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import type { Page } from "./contact-search.ts";
import { seesEverything, type Scope } from "./scope.ts";

export interface NoteView {
  id: number;
  contactId: number;
  text: string;
  authorId: number | null;
  authorName: string | null;
  createdAt: Date;
}

export class NoteService {
  constructor(private db: Db) {}

  /** Adds a note to a contact the caller has already checked is in scope. */
  add(contactId: number, text: string, authorId: number): NoteView {
    const row = this.db.insert(notes).values({ contactId, text, authorId }).returning().get();
    return this.view(row.id)!;
  }

  list(contactId: number, o: { page: number; limit: number }): Page<NoteView> {
    const items = this.select()
      .where(eq(notes.contactId, contactId))
      .orderBy(desc(notes.createdAt), desc(notes.id))
      .limit(o.limit)
      .offset((o.page - 1) * o.limit)
      .all();
    const total = this.db.select({ n: count() }).from(notes).where(eq(notes.contactId, contactId)).get()?.n ?? 0;
    return { items, total, page: o.page, limit: o.limit };
  }

  update(contactId: number, noteId: number, text: string, actor: Scope): NoteView {
    this.editable(contactId, noteId, actor);
    this.db.update(notes).set({ text }).where(eq(notes.id, noteId)).run();
    return this.view(noteId)!;
  }

  remove(contactId: number, noteId: number, actor: Scope): NoteView {
    const note = this.editable(contactId, noteId, actor);
    this.db.delete(notes).where(eq(notes.id, noteId)).run();
    return note;
  }

  /** The note when `actor` may change it: not_found if it is not this contact's, forbidden if someone else wrote it. */
  private editable(contactId: number, noteId: number, actor: Scope): NoteView {
    const note = this.select().where(and(eq(notes.id, noteId), eq(notes.contactId, contactId))).get();
    if (!note) throw new AppError("not_found", `no note ${noteId} on contact ${contactId}`);
    if (!seesEverything(actor) && note.authorId !== actor.userId) throw new AppError("forbidden", "only the note's author, an owner or an admin can change it");
    return note;
  }

  private view(id: number): NoteView | undefined {
    return this.select().where(eq(notes.id, id)).get();
  }

  private select() {
    return this.db
      .select({ id: notes.id, contactId: notes.contactId, text: notes.text, authorId: notes.authorId, authorName: sql<string | null>`coalesce(${users.name}, ${users.email})`, createdAt: notes.createdAt })
      .from(notes)
      .leftJoin(users, eq(users.id, notes.authorId));
  }
}
