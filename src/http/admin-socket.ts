/**
 * GET /ws/admin: live events for the admin app over a WebSocket that Bun.serve upgrades natively, fanned out
 * with Bun's pub/sub. The upgrade needs a session (the cookie, or `Authorization: Bearer`) and an `Origin` of the
 * app itself (a page on another site cannot open it with the user's cookie). Each message is one JSON event
 * `{type, at, contactId, data}`. Owners and admins receive every event; an agent only the events of contacts
 * assigned to them (decided per event, so a contact reassigned a moment ago is followed at once) and the
 * WhatsApp line's state. Every 30 s each socket is pinged and its session checked again: a signed-out,
 * expired, deactivated or re-roled user's socket is closed (4401), and the browser reconnects with a fresh one.
 * One user holds at most MAX_SOCKETS_PER_USER sockets at once (more upgrades answer 429). A call someone follows
 * (the admin app's test call, followed by the user who placed it) sends its events to that user too, whoever the
 * call's contact belongs to.
 *
 * A client may send `{"type":"ping"}` and gets `{"type":"pong"}` (browsers cannot send WebSocket pings).
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { Hono } from "hono";
import { AppError } from "../errors.ts";
import { LIVE, type LiveEvent, type LiveEventType } from "../live-events.ts";
import { EV, log } from "../log.ts";
import type { Role } from "../roles.ts";
import type { AppEnv, HttpDeps } from "./env.ts";
import { onError } from "./errors.ts";
import { isOwnOrigin } from "./middleware/same-origin.ts";
import { requireSession } from "./middleware/session.ts";
import { requestHost } from "./client-ip.ts";

export const ADMIN_SOCKET_PATH = "/ws/admin";

export interface AdminSocketData {
  kind: "admin";
  userId: number;
  role: Role;
  /** The request's Cookie / Authorization headers, to check the session again while the socket lives. */
  credentials: Record<string, string>;
}

const STAFF = "live:staff";
const AGENTS = "live:agents";
const userTopic = (id: number) => `live:user:${id}`;
/** Events about no contact that agents receive too. */
const FOR_AGENTS = new Set<LiveEventType>([LIVE.WHATSAPP_STATE]);
const KEEPALIVE_MS = 30_000;
/** Open sockets one user may hold (browser tabs); the next upgrade answers 429. */
export const MAX_SOCKETS_PER_USER = 20;
/** How long a followed call's events are sent to its follower at most (ms): longer than any call. */
const FOLLOW_TTL_MS = 3 * 60 * 60_000;
/** Followed calls kept at most (the oldest is forgotten first). */
const MAX_FOLLOWED = 1000;
/** Close code: the session behind the socket is no longer valid (sign in again / reconnect). */
export const SESSION_ENDED = 4401;

type Who = { id: number; role: Role };

export class AdminHub {
  private server?: Server<unknown>;
  private sockets = new Set<ServerWebSocket<AdminSocketData>>();
  /** Sockets per user, counted from the upgrade (before `open`) so a burst of upgrades cannot pass the limit. */
  private perUser = new Map<number, number>();
  private timer?: ReturnType<typeof setInterval>;
  /** CallSid → the user who follows that call's events, until `until` (ms since the epoch) or the call ends. */
  private followers = new Map<string, { userId: number; until: number }>();
  /** Checks a socket's credentials again (set by the route, which knows how sessions are checked). */
  verify: (credentials: Record<string, string>) => Promise<Who | undefined> = async () => undefined;

  constructor(
    /** The user a contact is assigned to; called per event (an indexed read). */
    private ownerOf: (contactId: number) => number | null | undefined,
    private keepaliveMs = KEEPALIVE_MS,
  ) {}

  /** The server whose pub/sub carries the events. */
  attach(server: Server<unknown>): void {
    this.server = server;
    this.timer ??= setInterval(() => void this.sweep(), this.keepaliveMs);
    this.timer.unref?.();
  }

  get connected(): number {
    return this.sockets.size;
  }

  /** Takes one of the user's socket places; false when they hold the most already. */
  reserve(userId: number): boolean {
    const n = this.perUser.get(userId) ?? 0;
    if (n >= MAX_SOCKETS_PER_USER) return false;
    this.perUser.set(userId, n + 1);
    return true;
  }

  release(userId: number): void {
    const n = (this.perUser.get(userId) ?? 1) - 1;
    if (n > 0) this.perUser.set(userId, n);
    else this.perUser.delete(userId);
  }

  /** `userId` receives the events of call `callSid` (call.started, call.turn, call.ended) until it ends or `ttlMs` passes. */
  follow(callSid: string, userId: number, ttlMs = FOLLOW_TTL_MS): void {
    const now = Date.now();
    for (const [sid, f] of this.followers) if (f.until <= now) this.followers.delete(sid);
    if (this.followers.size >= MAX_FOLLOWED) this.followers.delete(this.followers.keys().next().value!);
    this.followers.set(callSid, { userId, until: now + ttlMs });
  }

  /** Sends an event to everyone entitled to it. */
  deliver(event: LiveEvent): void {
    const server = this.server;
    if (!server) return;
    const json = JSON.stringify(event);
    server.publish(STAFF, json);
    let owner: number | null | undefined;
    if (event.contactId) {
      owner = this.ownerOf(event.contactId);
      if (owner) server.publish(userTopic(owner), json);
    } else if (FOR_AGENTS.has(event.type)) server.publish(AGENTS, json);
    const callSid = typeof event.data.callSid === "string" ? event.data.callSid : undefined;
    const follower = callSid ? this.followers.get(callSid) : undefined;
    if (callSid && follower) {
      // staff sockets listen on STAFF only, so this reaches an agent, and never twice
      if (follower.userId !== owner && follower.until > Date.now()) server.publish(userTopic(follower.userId), json);
      if (event.type === LIVE.CALL_ENDED) this.followers.delete(callSid);
    }
  }

  readonly handler: WebSocketHandler<AdminSocketData> = {
    open: (ws) => {
      this.sockets.add(ws);
      if (ws.data.role === "agent") {
        ws.subscribe(userTopic(ws.data.userId));
        ws.subscribe(AGENTS);
      } else ws.subscribe(STAFF);
    },
    message: (ws, message) => {
      if (typeof message === "string" && message.length < 100 && /"type"\s*:\s*"ping"/.test(message)) ws.send(JSON.stringify({ type: "pong", at: new Date().toISOString() }));
    },
    close: (ws) => {
      this.sockets.delete(ws);
      this.release(ws.data.userId);
    },
  };

  /** Pings every socket and closes those whose session ended or whose role changed. */
  async sweep(): Promise<void> {
    await Promise.all(
      [...this.sockets].map(async (ws) => {
        const who = await this.verify(ws.data.credentials).catch(() => undefined);
        if (!who || who.id !== ws.data.userId || who.role !== ws.data.role) ws.close(SESSION_ENDED, "session ended");
        else ws.ping();
      }),
    );
  }

  stop(): void {
    clearInterval(this.timer);
    for (const ws of this.sockets) ws.close(1001, "server stopping");
  }
}

const credentialsOf = (req: Request): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const name of ["cookie", "authorization"]) {
    const v = req.headers.get(name);
    if (v) out[name] = v;
  }
  return out;
};

/** The /ws/admin route (mounted at that path): session, origin, then Bun's upgrade. */
export function adminSocketRoute(deps: HttpDeps, hub: AdminHub) {
  // the same session check as every /api route, run again on each sweep against the stored credentials
  const check = new Hono<AppEnv>().use(requireSession(deps)).get("/", (c) => c.json({ id: c.get("user").id, role: c.get("user").role }));
  check.onError(onError);
  hub.verify = async (credentials) => {
    const res = await check.request("/", { headers: credentials });
    return res.ok ? ((await res.json()) as Who) : undefined;
  };

  return new Hono<AppEnv>().get("/", requireSession(deps), (c) => {
    // the same rule as cookie-authenticated writes: PUBLIC_BASE_URL's origin, or the host the browser used (Host, or a
    // trusted proxy's X-Forwarded-Host), compared case-insensitively
    const origin = c.req.header("origin");
    if (!origin || !isOwnOrigin(origin, requestHost(c), deps.config.publicBaseUrl)) {
      log.warn(EV.WS_REJECTED, { path: ADMIN_SOCKET_PATH, origin: c.req.header("origin") ?? null });
      throw new AppError("forbidden", "the live-updates socket opens only from the admin app's own origin");
    }
    const server = c.env?.server;
    const user = c.get("user");
    const data: AdminSocketData = { kind: "admin", userId: user.id, role: user.role, credentials: credentialsOf(c.req.raw) };
    if (!hub.reserve(user.id)) throw new AppError("rate_limited", `at most ${MAX_SOCKETS_PER_USER} live-update sockets per user; close a tab`);
    if (server?.upgrade(c.req.raw, { data })) return new Response(null);
    hub.release(user.id);
    return c.json({ error: { code: "bad_request", message: "this endpoint takes a WebSocket upgrade" } }, 426, { Upgrade: "websocket" });
  });
}
