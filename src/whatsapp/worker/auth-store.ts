/**
 * The WhatsApp session (Baileys' auth state: creds and every signal-key type, whatever its name) in its own SQLite
 * file, DATA_DIR/whatsapp.db, mode 0600, opened by the worker alone:
 * - its own file, not tables in the CRM database: the worker can be terminated mid-write, and a lock it leaves
 *   behind must never block call and CRM writes; the keys are secrets that a CRM backup need not carry; unlinking
 *   wipes them in one step.
 * - `locking_mode = EXCLUSIVE`: a second process on the same DATA_DIR cannot open the session at all, so two
 *   sockets can never regress the Signal ratchet ("Bad MAC").
 * - one `BEGIN IMMEDIATE` transaction per `keys.set` (bun:sqlite is synchronous, so writes are serialized), a null
 *   value deletes, values go through BufferJSON (plain JSON corrupts Buffers), `synchronous = FULL` (a lost
 *   ratchet step after a power cut breaks sessions).
 * Also keeps what we sent (for Baileys' `getMessage`, which retries need) and the cached WA Web version.
 */
import { Database } from "bun:sqlite";
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataSet, type SignalDataTypeMap } from "@whiskeysockets/baileys";

/** Rows per `IN (…)` query, well below SQLite's variable limit. */
const CHUNK = 500;
/** Sent messages are kept this long for retries (ms). */
const SENT_KEEP_MS = 7 * 24 * 3600_000;

const encode = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const decode = (text: string): unknown => JSON.parse(text, BufferJSON.reviver);

export class SqliteAuthStore {
  readonly db: Database;
  creds: AuthenticationCreds;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    // create the file owner-only before SQLite writes a byte (its -wal/-shm copy these permissions)
    closeSync(openSync(path, "a", 0o600));
    chmodSync(path, 0o600);
    this.db = new Database(path, { create: true, strict: true });
    this.db.run("PRAGMA busy_timeout = 2000");
    this.db.run("PRAGMA locking_mode = EXCLUSIVE");
    this.db.run("PRAGMA journal_mode = WAL");
    this.db.run("PRAGMA synchronous = FULL");
    this.db.run("CREATE TABLE IF NOT EXISTS creds (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.db.run("CREATE TABLE IF NOT EXISTS signal_keys (type TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (type, id)) WITHOUT ROWID");
    this.db.run("CREATE TABLE IF NOT EXISTS sent_messages (id TEXT PRIMARY KEY, jid TEXT NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL)");
    this.db.run("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.db.run("DELETE FROM sent_messages WHERE at < ?", [Date.now() - SENT_KEEP_MS]);
    this.creds = this.loadCreds();
  }

  private loadCreds(): AuthenticationCreds {
    const row = this.db.query<{ value: string }, [string]>("SELECT value FROM creds WHERE key = ?").get("creds");
    return row ? (decode(row.value) as AuthenticationCreds) : initAuthCreds();
  }

  /** Baileys' auth state over this store; wrap `keys` with makeCacheableSignalKeyStore. */
  get state(): AuthenticationState {
    return {
      creds: this.creds,
      keys: {
        get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => this.getKeys(type, ids),
        set: async (data: SignalDataSet) => this.setKeys(data),
      },
    };
  }

  /** Persists `this.creds` (Baileys mutates it in place, then emits creds.update). */
  saveCreds(): void {
    this.db.run("INSERT INTO creds (key, value) VALUES ('creds', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [encode(this.creds)]);
  }

  getKeys<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): { [id: string]: SignalDataTypeMap[T] } {
    const out: { [id: string]: SignalDataTypeMap[T] } = {};
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      const rows = this.db
        .query<{ id: string; value: string }, string[]>(`SELECT id, value FROM signal_keys WHERE type = ? AND id IN (${part.map(() => "?").join(",")})`)
        .all(type, ...part);
      for (const row of rows) {
        let value = decode(row.value);
        // protobuf objects must be rebuilt from their JSON form
        if (type === "app-state-sync-key" && value) value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
        out[row.id] = value as SignalDataTypeMap[T];
      }
    }
    return out;
  }

  /** Every type and id in `data` in one immediate transaction; `null` deletes. */
  setKeys(data: SignalDataSet): void {
    const upsert = this.db.query("INSERT INTO signal_keys (type, id, value) VALUES (?, ?, ?) ON CONFLICT (type, id) DO UPDATE SET value = excluded.value");
    const remove = this.db.query("DELETE FROM signal_keys WHERE type = ? AND id = ?");
    this.db
      .transaction(() => {
        for (const [type, entries] of Object.entries(data)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            if (value === null || value === undefined) remove.run(type, id);
            else upsert.run(type, id, encode(value));
          }
        }
      })
      .immediate();
  }

  rememberSent(id: string, jid: string, message: proto.IMessage): void {
    // the protobuf's own binary form: exact, unlike a JSON round trip of its longs and bytes
    const bytes = Buffer.from(proto.Message.encode(message).finish()).toString("base64");
    this.db.run("INSERT OR REPLACE INTO sent_messages (id, jid, message, at) VALUES (?, ?, ?, ?)", [id, jid, bytes, Date.now()]);
  }

  /** A message we sent, for Baileys' retry (`getMessage`). */
  sent(id: string): proto.IMessage | undefined {
    const row = this.db.query<{ message: string }, [string]>("SELECT message FROM sent_messages WHERE id = ?").get(id);
    return row ? proto.Message.decode(Buffer.from(row.message, "base64")) : undefined;
  }

  meta(key: string): string | undefined {
    return this.db.query<{ value: string }, [string]>("SELECT value FROM meta WHERE key = ?").get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  /** Forgets the session (creds, keys, sent messages) and starts from fresh creds; the cached version stays. */
  wipe(): void {
    this.db
      .transaction(() => {
        this.db.run("DELETE FROM creds");
        this.db.run("DELETE FROM signal_keys");
        this.db.run("DELETE FROM sent_messages");
      })
      .immediate();
    this.creds = initAuthCreds();
  }

  close(): void {
    this.db.close();
  }
}
