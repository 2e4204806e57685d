/**
 * Bun.serve: the SPA (HTML import, bundled with Tailwind; compiled into the binary) under /app/*, the Twilio media
 * WebSocket natively at /ws/twilio-media, everything else through the Hono app (which also upgrades /ws/admin).
 * Bun has one WebSocket handler per server: it dispatches each socket by `ws.data.kind`.
 *
 * Bun cannot put headers on an HTML-import route (a handler returning `new Response(bundle)` sends
 * "[object HTMLBundle]"), so the bundle is mounted at an unguessable internal path and /app/* pages are that
 * page — fetched once over loopback, kept in memory — answered with the security headers (CSP, frame-ancestors,
 * nosniff, referrer policy). The bundle's scripts and styles stay Bun's own routes.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Hono } from "hono";
import spa from "./web/index.html";
import type { Dispatch, EarlyServer } from "./early-server.ts";
import type { AppEnv } from "./http/env.ts";
import { SPA_HEADERS } from "./http/security-headers.ts";
import { MEDIA_PATH } from "./transports/twilio/twiml.ts";
import { upgradeMedia, type MediaSocketData } from "./transports/twilio/media-server.ts";
import type { AdminSocketData } from "./http/admin-socket.ts";

export type SocketData = MediaSocketData | AdminSocketData;

export interface ServeOptions {
  port: number;
  hostname: string;
  app: Hono<AppEnv>;
  websocket: WebSocketHandler<MediaSocketData>;
  /** The admin app's live-updates sockets (/ws/admin). */
  adminSocket?: WebSocketHandler<AdminSocketData>;
  /** Bun's dev mode (hot bundling, source maps) — off in the compiled binary. */
  development?: boolean;
}

const isAppPath = (path: string) => path === "/app" || path.startsWith("/app/");

/**
 * Largest WebSocket message accepted, in bytes, for both kinds of socket (Bun has one set of options per server).
 * Twilio's media-stream messages are under 1 KB (a 20 ms frame is ~300 bytes of JSON; `start` with its custom
 * parameters a few hundred more), the browser's test call sends the same shapes and the admin app only tiny pings.
 * A bigger message closes the socket with 1009 before anything reads it (Bun's default accepts 16 MB, each one
 * parsed as JSON even before `start`).
 */
export const WS_MAX_MESSAGE_BYTES = 64 * 1024;
/**
 * Bytes the server may queue for a client that does not read, then the socket is closed. The media socket sends at
 * most ~200 ms of audio ahead (a few KB) and admin events are small: 1 MiB is a reader that is gone or hostile.
 */
export const WS_BACKPRESSURE_BYTES = 1024 * 1024;

/** Where this server can reach itself: loopback for a wildcard address. */
function selfUrl(server: Server<MediaSocketData>): string {
  const host = server.hostname ?? "127.0.0.1";
  const reachable = host === "0.0.0.0" || host === "" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host;
  return `http://${reachable}:${server.port}`;
}

/** The SPA's index page with the security headers; `internalPath` is where the HTML import is mounted. */
function spaPage(internalPath: string, cache: boolean) {
  let kept: Promise<{ body: ArrayBuffer; type: string; etag: string | null }> | undefined;
  const load = async (server: Server<MediaSocketData>) => {
    const res = await fetch(selfUrl(server) + internalPath);
    if (!res.ok) throw new Error(`the admin app's page answered ${res.status}`);
    return { body: await res.arrayBuffer(), type: res.headers.get("content-type") ?? "text/html;charset=utf-8", etag: res.headers.get("etag") };
  };
  return async (req: Request, server: Server<MediaSocketData>): Promise<Response> => {
    if (req.method !== "GET" && req.method !== "HEAD") return new Response("method not allowed", { status: 405, headers: { allow: "GET, HEAD", ...SPA_HEADERS } });
    const pending = cache ? (kept ??= load(server)) : load(server);
    // a failed build is retried by the next request instead of being kept
    const page = await pending.catch((err) => {
      kept = undefined;
      throw err;
    });
    const headers: Record<string, string> = { ...SPA_HEADERS, "content-type": page.type, "cache-control": "no-cache" };
    if (page.etag) headers.etag = page.etag;
    if (page.etag && req.headers.get("if-none-match") === page.etag) return new Response(null, { status: 304, headers });
    return new Response(req.method === "HEAD" ? null : page.body, { headers });
  };
}

/** Starts the server — or, given the early server that already holds the port, swaps the application into it. */
export function serve(opts: ServeOptions, early?: EarlyServer): Server<MediaSocketData> {
  const internal = `/__spa-${crypto.randomUUID()}`;
  const page = spaPage(internal, !opts.development);
  const media = (req: Request, server: Server<MediaSocketData>) => upgradeMedia(req, server as Server<unknown>);
  const fetchApp = (req: Request, server: Server<MediaSocketData>) => opts.app.fetch(req, { server: server as Server<unknown> });
  const options = {
    port: opts.port,
    hostname: opts.hostname,
    development: opts.development ?? false,
    routes: {
      [internal]: spa,
      "/app": page,
      "/app/*": page,
      [MEDIA_PATH]: media,
    },
    fetch: fetchApp,
    // typed as the media socket's data for the Server<MediaSocketData> the rest of the code holds; bySocketKind
    // reads `kind` first, so an admin socket never reaches the media handler
    websocket: bySocketKind(opts.websocket, opts.adminSocket) as unknown as WebSocketHandler<MediaSocketData>,
  };
  if (!early) return Bun.serve<MediaSocketData>(options);
  const server = early.server.reload(options);
  // what the routes above do, for requests that arrived while the application was loading
  const dispatch: Dispatch = (req, srv) => {
    const path = new URL(req.url).pathname;
    if (path === MEDIA_PATH) return media(req, srv);
    if (isAppPath(path)) return page(req, srv);
    return fetchApp(req, srv);
  };
  early.ready(dispatch);
  return server;
}

/** One handler for every socket: each event goes to the handler of the socket's kind. Server-wide options are the media socket's, with the size limits above. */
function bySocketKind(media: WebSocketHandler<MediaSocketData>, admin?: WebSocketHandler<AdminSocketData>): WebSocketHandler<SocketData> {
  type Ws = ServerWebSocket<SocketData>;
  const asAdmin = (ws: Ws) => (ws.data.kind === "admin" ? (ws as ServerWebSocket<AdminSocketData>) : undefined);
  const asMedia = (ws: Ws) => (ws.data.kind === "twilio-media" ? (ws as ServerWebSocket<MediaSocketData>) : undefined);
  return {
    ...media,
    maxPayloadLength: WS_MAX_MESSAGE_BYTES,
    backpressureLimit: WS_BACKPRESSURE_BYTES,
    closeOnBackpressureLimit: true,
    open(ws: Ws) {
      const a = asAdmin(ws);
      if (a) return void admin?.open?.(a);
      const m = asMedia(ws);
      if (m) return void media.open?.(m);
    },
    message(ws: Ws, message) {
      const a = asAdmin(ws);
      if (a) return void admin?.message?.(a, message);
      const m = asMedia(ws);
      if (m) return void media.message?.(m, message);
    },
    close(ws: Ws, code, reason) {
      const a = asAdmin(ws);
      if (a) return void admin?.close?.(a, code, reason);
      const m = asMedia(ws);
      if (m) return void media.close?.(m, code, reason);
    },
    pong(ws: Ws, data) {
      const m = asMedia(ws);
      if (m) return void media.pong?.(m, data);
    },
  };
}
