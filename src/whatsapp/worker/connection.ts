/**
 * The one Baileys socket of the session, inside the worker. It opens a socket when asked (never a second one while
 * one is open or opening), turns Baileys' events into protocol events, downloads inbound media at once, and
 * answers pairing, sending and unlinking. It never reconnects by itself: the supervisor on the main thread decides
 * when (see reconnect-policy.ts), so that policy survives a worker restart.
 */
import makeWASocket, {
  DEFAULT_CONNECTION_CONFIG,
  fetchLatestWaWebVersion,
  generateMessageIDV2,
  makeCacheableSignalKeyStore,
  type ConnectionState,
  type WAMessage,
  type WASocket,
  type WAVersion,
} from "@whiskeysockets/baileys";
import { EV } from "../../log.ts";
import type { MediaStore } from "../media-store.ts";
import type { InboundWa, Restrictions, SendResult, WorkerEvent } from "../protocol.ts";
import type { SqliteAuthStore } from "./auth-store.ts";
import { baileysLogger } from "./logger.ts";
import { saveMessageMedia } from "./media.ts";
import { ignoredJid, normalizeMapping, normalizeMessage, receiptsFromUpdates, receiptsFromUserReceipts } from "./normalize.ts";
import { RecipientLookup } from "./recipient-lookup.ts";
import { WorkerError } from "./worker-error.ts";

type Emit = (ev: WorkerEvent) => void;
type EventInput = WorkerEvent extends infer E ? (E extends { kind: "ev" } ? Omit<E, "kind"> : never) : never;

export interface ConnectionOptions {
  wsUrl?: string;
  connectTimeoutMs?: number;
}

export class Connection {
  private sock?: WASocket;
  private open = false;
  private qrShown = false;
  private intentional = false;
  private queue: Promise<void> = Promise.resolve();
  private lookups = new RecipientLookup();
  /** Ids of messages this worker is sending: their echo from WhatsApp is not a message from the phone. */
  private ownSends = new Set<string>();
  private readonly logger: ReturnType<typeof baileysLogger>;

  constructor(
    private store: SqliteAuthStore,
    private media: MediaStore,
    private post: Emit,
    private o: ConnectionOptions = {},
  ) {
    this.logger = baileysLogger((level, event, fields) => this.emit({ type: "log", level, event, fields }));
  }

  private emit(ev: EventInput): void {
    this.post({ kind: "ev", ...ev } as WorkerEvent);
  }

  /** Runs a Baileys event handler so that nothing it throws reaches Baileys (it would end up unhandled). */
  private guard<A extends unknown[]>(name: string, fn: (...args: A) => unknown): (...args: A) => void {
    return (...args: A) => {
      try {
        const r = fn(...args);
        if (r instanceof Promise) r.catch((err) => this.failed(name, err));
      } catch (err) {
        this.failed(name, err);
      }
    };
  }

  private failed(handler: string, err: unknown) {
    this.emit({ type: "log", level: "error", event: EV.WHATSAPP_HANDLER_FAILED, fields: { handler, err: String(err).slice(0, 500) } });
  }

  get socket(): WASocket | undefined {
    return this.sock;
  }

  get registered(): boolean {
    return Boolean(this.store.creds.registered);
  }

  private version(): WAVersion {
    const cached = this.store.meta("waVersion");
    if (cached) {
      const v = JSON.parse(cached) as number[];
      if (v.length === 3 && v.every((n) => Number.isInteger(n))) return v as WAVersion;
    }
    return DEFAULT_CONNECTION_CONFIG.version;
  }

  /** Opens the socket; false when one is already open or opening (exactly one socket per session). */
  connect(): boolean {
    if (this.sock) return false;
    this.open = false;
    this.qrShown = false;
    this.intentional = false;
    const store = this.store;
    const sock = makeWASocket({
      auth: { creds: store.creds, keys: makeCacheableSignalKeyStore(store.state.keys, this.logger) },
      version: this.version(),
      logger: this.logger,
      ...(this.o.wsUrl ? { waWebSocketUrl: this.o.wsUrl } : {}),
      ...(this.o.connectTimeoutMs ? { connectTimeoutMs: this.o.connectTimeoutMs } : {}),
      // the phone keeps notifying its owner only while this device does not claim to be online
      markOnlineOnConnect: false,
      syncFullHistory: false,
      shouldIgnoreJid: ignoredJid,
      // retries of a message we sent need its content back
      getMessage: async (key) => (key.id ? store.sent(key.id) : undefined),
    });
    this.sock = sock;
    this.emit({ type: "connecting" });

    sock.ev.on("creds.update", this.guard("creds.update", () => store.saveCreds()));
    sock.ev.on("connection.update", this.guard("connection.update", (u: Partial<ConnectionState>) => this.onConnection(sock, u)));
    sock.ev.on(
      "messages.upsert",
      this.guard("messages.upsert", ({ messages, type }: { messages: WAMessage[]; type: string }) => {
        if (type !== "notify") return;
        // one at a time, in order: a message waits for the media download of the one before it
        for (const m of messages) this.queue = this.queue.then(() => this.onMessage(sock, m)).catch((err) => this.failed("messages.upsert", err));
      }),
    );
    sock.ev.on(
      "messages.update",
      this.guard("messages.update", (updates) => {
        const receipts = receiptsFromUpdates(updates);
        if (receipts.length) this.emit({ type: "receipts", updates: receipts });
      }),
    );
    sock.ev.on(
      "message-receipt.update",
      this.guard("message-receipt.update", (updates) => {
        const receipts = receiptsFromUserReceipts(updates);
        if (receipts.length) this.emit({ type: "receipts", updates: receipts });
      }),
    );
    sock.ev.on(
      "lid-mapping.update",
      this.guard("lid-mapping.update", (m) => {
        const mapping = normalizeMapping(m);
        if (mapping) this.emit({ type: "lid", mappings: [mapping] });
      }),
    );
    sock.ev.on(
      "messaging-history.set",
      this.guard("messaging-history.set", ({ lidPnMappings }) => {
        // history messages stay out of the CRM; the LID ↔ phone pairs it carries are worth keeping
        const mappings = (lidPnMappings ?? []).map(normalizeMapping).filter((m): m is { lid: string; pn: string } => Boolean(m));
        for (let i = 0; i < mappings.length; i += 1000) this.emit({ type: "lid", mappings: mappings.slice(i, i + 1000) });
      }),
    );
    sock.ev.on(
      "message-capping.update",
      this.guard("message-capping.update", (cap) => {
        const restrictions: Restrictions = {
          messageCapping: {
            status: String(cap.capping_status ?? "NONE"),
            used: cap.used_quota,
            total: cap.total_quota,
            cycleEnd: cap.cycle_end_timestamp ? new Date(Number(cap.cycle_end_timestamp) * 1000).toISOString() : undefined,
          },
        };
        this.emit({ type: "restrictions", restrictions });
      }),
    );
    return true;
  }

  private onConnection(sock: WASocket, u: Partial<ConnectionState>): void {
    if (sock !== this.sock) return;
    if (u.reachoutTimeLock) {
      const lock = u.reachoutTimeLock;
      this.emit({
        type: "restrictions",
        restrictions: { reachoutTimeLock: { active: Boolean(lock.isActive), until: lock.timeEnforcementEnds ? new Date(lock.timeEnforcementEnds).toISOString() : undefined, type: lock.enforcementType } },
      });
    }
    if (u.qr) {
      this.qrShown = true;
      this.emit({ type: "qr", qr: u.qr });
    }
    if (u.connection === "open") {
      this.open = true;
      this.emit({ type: "open", me: this.store.creds.me?.id });
      void this.fetchRestrictions(sock);
    }
    if (u.connection === "close") {
      const error = u.lastDisconnect?.error as (Error & { output?: { statusCode?: number } }) | undefined;
      const code = error?.output?.statusCode;
      const reason = error?.message ?? "closed";
      this.sock = undefined;
      this.open = false;
      this.emit({
        type: "closed",
        code,
        reason: reason.slice(0, 500),
        registered: this.registered,
        // Baileys ends with 408 "QR refs attempts ended" when every QR of the session went unscanned
        qrExpired: this.qrShown && !this.registered && /QR refs/i.test(reason),
        intentional: this.intentional,
      });
    }
  }

  /** What WhatsApp currently limits on this account (later changes arrive as notifications). */
  private async fetchRestrictions(sock: WASocket): Promise<void> {
    try {
      const cap = await sock.fetchNewChatMessageCap();
      if (cap?.capping_status) this.emit({ type: "restrictions", restrictions: { messageCapping: { status: String(cap.capping_status), used: cap.used_quota, total: cap.total_quota } } });
      await sock.fetchAccountReachoutTimelock(); // answered through connection.update
    } catch (err) {
      this.emit({ type: "log", level: "debug", event: EV.WHATSAPP_RESTRICTIONS_UNKNOWN, fields: { err: String(err).slice(0, 200) } });
    }
  }

  private async onMessage(sock: WASocket, msg: WAMessage): Promise<void> {
    if (msg.key.fromMe && msg.key.id && this.ownSends.has(msg.key.id)) return;
    const n = normalizeMessage(msg);
    if (!n) return;
    const message: InboundWa = { ...n.inbound };
    if (n.media) {
      try {
        message.media = [await saveMessageMedia(msg, n.media, this.media, { reuploadRequest: sock.updateMediaMessage, logger: this.logger })];
      } catch (err) {
        message.mediaError = `the ${n.media.kind} could not be downloaded: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
      }
    }
    this.emit({ type: "message", message });
  }

  private requireOpen(): WASocket {
    if (!this.sock || !this.open) throw new WorkerError("not_connected", "WhatsApp is not connected");
    return this.sock;
  }

  async send(to: string, text: string): Promise<SendResult> {
    const sock = this.requireOpen();
    const jid = await this.lookups.resolve(sock, to);
    // our own id, known before Baileys echoes the message back as an upsert
    const id = generateMessageIDV2(sock.user?.id);
    this.ownSends.add(id);
    setTimeout(() => this.ownSends.delete(id), 10 * 60_000);
    const sent = await sock.sendMessage(jid, { text }, { messageId: id });
    if (!sent?.key.id || !sent.message) throw new WorkerError("failed", "WhatsApp did not accept the message");
    this.store.rememberSent(sent.key.id, jid, sent.message);
    return { providerId: sent.key.id, jid };
  }

  /** An 8-character code to type on the phone; needs an unlinked session whose socket has shown a QR. */
  async pair(phone: string): Promise<string> {
    if (this.registered) throw new WorkerError("registered", "WhatsApp is already linked; unlink it first");
    if (!this.sock || !this.qrShown) throw new WorkerError("not_connected", "the WhatsApp connection is not ready for pairing yet");
    return this.sock.requestPairingCode(phone);
  }

  async disconnect(): Promise<void> {
    if (!this.sock) return;
    this.intentional = true;
    await this.sock.end(undefined);
  }

  /** Unlinks this device (when connected) and wipes the session. */
  async logout(): Promise<void> {
    const sock = this.sock;
    if (sock) {
      this.intentional = true;
      if (this.open) await sock.logout("unlinked from AgentLocator").catch(() => sock.end(undefined));
      else await sock.end(undefined);
    }
    this.sock = undefined;
    this.store.wipe();
    this.lookups.clear();
  }

  wipe(): void {
    if (this.sock) throw new WorkerError("bad_request", "cannot wipe the session while its socket is open");
    this.store.wipe();
    this.lookups.clear();
  }

  /** WhatsApp Web's current version, kept for the next connections (Baileys' bundled one goes stale: 405). */
  async refreshVersion(): Promise<{ version: number[]; fetched: boolean }> {
    const latest = await fetchLatestWaWebVersion({ signal: AbortSignal.timeout(10_000) });
    if (latest.error || !latest.isLatest) return { version: this.version(), fetched: false };
    this.store.setMeta("waVersion", JSON.stringify(latest.version));
    return { version: latest.version, fetched: true };
  }
}
