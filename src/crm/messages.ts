/**
 * WhatsApp messages in the CRM, both directions and both channels (Baileys, Twilio):
 * - kept once per (channel, provider message id) — a redelivered webhook or event changes nothing;
 * - an outbound message is `queued` under a local id until the provider accepts it, then carries the provider's id;
 * - its status only moves forward (queued → sent → failed → delivered → read), in one conditional UPDATE, so
 *   callbacks arriving out of order or twice are safe; a status for an id we do not know yet (Twilio's callback can
 *   beat its own REST answer) waits in memory and is applied when the id arrives.
 * Publishes `message.in` and `message.status` on the live feed (the latter also when an inbound message's media
 * arrives after it, then with `media`).
 */
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { contacts, messages, type MessageChannel, type MessageStatus } from "../db/schema.ts";
import { LIVE, silentFeed, type LiveFeed } from "../live-events.ts";

export type MessageRow = typeof messages.$inferSelect;
export type OutStatus = Exclude<MessageStatus, "received" | "queued">;

/** What the API and the live feed show of a message. Media is served by id and index, never by path. */
export interface MessageView {
  id: number;
  contactId: number;
  direction: "in" | "out";
  channel: MessageChannel;
  providerId: string;
  text: string | null;
  media?: Array<{ url: string; mime: string; bytes: number; name?: string }>;
  status: MessageStatus;
  errorCode?: string;
  errorMessage?: string;
  at: string;
  readAt?: string;
}

export function messageView(m: MessageRow): MessageView {
  return {
    id: m.id,
    contactId: m.contactId,
    direction: m.direction,
    channel: m.channel,
    providerId: m.providerId,
    text: m.text,
    ...(m.media?.length ? { media: m.media.map((f, i) => ({ url: `/api/messages/${m.id}/media/${i}`, mime: f.mime, bytes: f.bytes, ...(f.name ? { name: f.name } : {}) })) } : {}),
    status: m.status,
    ...(m.errorCode ? { errorCode: m.errorCode } : {}),
    ...(m.errorMessage ? { errorMessage: m.errorMessage } : {}),
    at: m.at.toISOString(),
    ...(m.readAt ? { readAt: m.readAt.toISOString() } : {}),
  };
}

/** Order of an outbound message's statuses; a status never replaces one of equal or higher rank. */
const RANK = sql<number>`CASE ${messages.status} WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 ELSE 9 END`;
const RANKS: Record<OutStatus, number> = { sent: 1, failed: 2, delivered: 3, read: 4 };

/** Statuses waiting for their message (provider id → best status), at most this many, this long (ms). */
const ORPHANS_MAX = 1000;
const ORPHAN_TTL_MS = 10 * 60_000;

export interface NewMessage {
  contactId: number;
  direction: "in" | "out";
  channel: MessageChannel;
  providerId: string;
  remote?: string;
  text?: string | null;
  media?: MessageRow["media"];
  status: MessageStatus;
  at?: Date;
  errorMessage?: string;
  sentById?: number | null;
}

export interface Conversation {
  contact: { id: number; name: string | null; phone: string | null; ownerId: number | null };
  last: MessageView;
  unread: number;
}

export class MessageService {
  private orphans = new Map<string, { status: OutStatus; errorCode?: string; errorMessage?: string; at: number }>();

  constructor(
    private db: Db,
    private live: LiveFeed = silentFeed,
  ) {}

  byId(id: number): MessageRow | undefined {
    return this.db.select().from(messages).where(eq(messages.id, id)).get();
  }

  byProvider(channel: MessageChannel, providerId: string): MessageRow | undefined {
    return this.db.select().from(messages).where(and(eq(messages.channel, channel), eq(messages.providerId, providerId))).get();
  }

  /**
   * Keeps a message once: `created` is false when (channel, providerId) was already there (then nothing changes).
   * A new one moves the contact's lastContactAt forward; a new inbound one is published as `message.in`.
   */
  record(m: NewMessage): { message: MessageRow; created: boolean } {
    const at = m.at ?? new Date();
    const created = this.db.transaction((tx) => {
      const row = tx
        .insert(messages)
        .values({
          contactId: m.contactId,
          direction: m.direction,
          channel: m.channel,
          providerId: m.providerId,
          remote: m.remote ?? null,
          text: m.text ?? null,
          media: m.media?.length ? m.media : null,
          status: m.status,
          errorMessage: m.errorMessage ?? null,
          sentById: m.sentById ?? null,
          at,
        })
        .onConflictDoNothing()
        .returning()
        .get();
      if (row) tx.update(contacts).set({ lastContactAt: sql`max(coalesce(${contacts.lastContactAt}, 0), ${at.getTime()})` }).where(eq(contacts.id, m.contactId)).run();
      return row;
    });
    if (!created) return { message: this.byProvider(m.channel, m.providerId)!, created: false };
    if (created.direction === "in") this.live.publish(LIVE.MESSAGE_IN, { message: messageView(created) }, created.contactId);
    return { message: created, created: true };
  }

  /** An outbound message waiting for its provider: `queued` under a local id. */
  queue(m: Omit<NewMessage, "providerId" | "status" | "direction">): MessageRow {
    return this.record({ ...m, direction: "out", providerId: `local:${crypto.randomUUID()}`, status: "queued" }).message;
  }

  /**
   * The provider took the message: it gets the provider's id and `sent` (or better, if a callback came first).
   * Undefined when the row is gone — its contact was deleted (with its messages) while the send was under way.
   */
  accepted(id: number, providerId: string): MessageRow | undefined {
    const row =
      this.db.transaction((tx) => {
        // an echo of this very send, kept under the provider's id before its answer came back, gives way to it
        tx.delete(messages).where(and(eq(messages.providerId, providerId), eq(messages.direction, "out"), ne(messages.id, id), sql`${messages.channel} = (SELECT channel FROM messages WHERE id = ${id})`)).run();
        return tx.update(messages).set({ providerId, status: "sent", updatedAt: new Date() }).where(and(eq(messages.id, id), eq(messages.status, "queued"))).returning().get();
      }) ?? this.byId(id);
    if (!row) return undefined;
    this.publishStatus(row);
    const orphan = this.orphans.get(providerId);
    if (orphan) {
      this.orphans.delete(providerId);
      return this.updateStatus(row.channel, providerId, orphan.status, orphan) ?? row;
    }
    return row;
  }

  /**
   * Media fetched after an inbound message was kept (Twilio's webhook answers first): the files and, if some could
   * not be fetched, why. Published as `message.status` carrying the message's `media`, so an open inbox shows them.
   */
  attachMedia(id: number, media: NonNullable<MessageRow["media"]>, errorMessage?: string): MessageRow | undefined {
    const row = this.db
      .update(messages)
      .set({ media: media.length ? media : null, errorMessage: errorMessage ?? null, updatedAt: new Date() })
      .where(eq(messages.id, id))
      .returning()
      .get();
    if (row) this.publishStatus(row, true);
    return row;
  }

  /** A message the provider refused or never took; undefined when the row is gone (its contact was deleted). */
  failed(id: number, error: { errorCode?: string; errorMessage: string }): MessageRow | undefined {
    const row =
      this.db
        .update(messages)
        .set({ status: "failed", errorCode: error.errorCode ?? null, errorMessage: error.errorMessage, updatedAt: new Date() })
        .where(and(eq(messages.id, id), sql`${RANK} < ${RANKS.failed}`))
        .returning()
        .get() ?? this.byId(id);
    if (row) this.publishStatus(row);
    return row;
  }

  /**
   * Moves an outbound message forward to `status`; returns the row when it changed. Unknown ids are remembered
   * for a while (the callback may beat the provider's REST answer).
   */
  updateStatus(channel: MessageChannel, providerId: string, status: OutStatus, error: { errorCode?: string; errorMessage?: string } = {}): MessageRow | undefined {
    const set: Partial<typeof messages.$inferInsert> = { status, updatedAt: new Date() };
    if (status === "failed") Object.assign(set, { errorCode: error.errorCode ?? null, errorMessage: error.errorMessage ?? null });
    const row = this.db
      .update(messages)
      .set(set)
      .where(and(eq(messages.channel, channel), eq(messages.providerId, providerId), eq(messages.direction, "out"), sql`${RANK} < ${RANKS[status]}`))
      .returning()
      .get();
    if (row) {
      this.publishStatus(row);
      return row;
    }
    if (!this.byProvider(channel, providerId)) this.remember(providerId, status, error);
    return undefined;
  }

  private remember(providerId: string, status: OutStatus, error: { errorCode?: string; errorMessage?: string }) {
    const now = Date.now();
    for (const [id, o] of this.orphans) if (now - o.at > ORPHAN_TTL_MS || this.orphans.size >= ORPHANS_MAX) this.orphans.delete(id);
    const prior = this.orphans.get(providerId);
    if (!prior || RANKS[status] > RANKS[prior.status]) this.orphans.set(providerId, { status, ...error, at: now });
  }

  private publishStatus(m: MessageRow, withMedia = false) {
    this.live.publish(
      LIVE.MESSAGE_STATUS,
      {
        id: m.id,
        channel: m.channel,
        providerId: m.providerId,
        status: m.status,
        ...(m.errorCode ? { errorCode: m.errorCode } : {}),
        ...(m.errorMessage ? { errorMessage: m.errorMessage } : {}),
        ...(withMedia ? { media: messageView(m).media ?? [] } : {}),
      },
      m.contactId,
    );
  }

  /** A contact's messages, newest first. */
  ofContact(contactId: number, page = 1, limit = 50): { items: MessageView[]; total: number; page: number; limit: number } {
    const rows = this.db
      .select()
      .from(messages)
      .where(eq(messages.contactId, contactId))
      .orderBy(sql`${messages.at} DESC, ${messages.id} DESC`)
      .limit(limit)
      .offset((page - 1) * limit)
      .all();
    const total = this.db.select({ n: sql<number>`count(*)` }).from(messages).where(eq(messages.contactId, contactId)).get()!.n;
    return { items: rows.map(messageView), total, page, limit };
  }

  /** Marks a contact's inbound messages read; returns how many were unread. */
  markRead(contactId: number): number {
    return this.db
      .update(messages)
      .set({ readAt: new Date() })
      .where(and(eq(messages.contactId, contactId), eq(messages.direction, "in"), isNull(messages.readAt)))
      .returning({ id: messages.id })
      .all().length;
  }

  /** One row per contact with messages: its latest message and how many inbound ones are unread; newest first. */
  conversations(o: { ownerId?: number; page: number; limit: number }): { items: Conversation[]; total: number; page: number; limit: number } {
    const owner = o.ownerId === undefined ? sql`` : sql`AND c.owner_id = ${o.ownerId}`;
    const rows = this.db.all<{ message_id: number; unread: number; contact_id: number; name: string | null; phone: string | null; owner_id: number | null }>(sql`
      SELECT m.id AS message_id, c.id AS contact_id, c.name, c.phone, c.owner_id,
        (SELECT count(*) FROM messages u WHERE u.contact_id = m.contact_id AND u.direction = 'in' AND u.read_at IS NULL) AS unread
      FROM messages m JOIN contacts c ON c.id = m.contact_id
      WHERE m.id = (SELECT x.id FROM messages x WHERE x.contact_id = m.contact_id ORDER BY x.at DESC, x.id DESC LIMIT 1) ${owner}
      ORDER BY m.at DESC, m.id DESC
      LIMIT ${o.limit} OFFSET ${(o.page - 1) * o.limit}`);
    const total = this.db.all<{ n: number }>(sql`SELECT count(DISTINCT m.contact_id) AS n FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE 1 = 1 ${owner}`)[0]!.n;
    const items = rows.map((r) => ({
      contact: { id: r.contact_id, name: r.name, phone: r.phone, ownerId: r.owner_id },
      last: messageView(this.byId(r.message_id)!),
      unread: r.unread,
    }));
    return { items, total, page: o.page, limit: o.limit };
  }
}
