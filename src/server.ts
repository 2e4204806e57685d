/**
 * Bun.serve: the SPA (HTML import, bundled with Tailwind; compiled into the binary) under /app/*, the Twilio media
 * WebSocket natively at /ws/twilio-media, everything else through the Hono app (which also upgrades /ws/admin).
 * Bun has one WebSocket handler per server: it dispatches each socket by `ws.data.kind`.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Hono } from "hono";
import spa from "./web/index.html";
import type { AppEnv } from "./http/env.ts";
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

/** Starts the server — or, given the early server that already holds the port, swaps the application into it. */
export function serve(opts: ServeOptions, early?: Server<MediaSocketData>): Server<MediaSocketData> {
  const options = {
    port: opts.port,
    hostname: opts.hostname,
    development: opts.development ?? false,
    routes: {
      "/app": spa,
      "/app/*": spa,
      [MEDIA_PATH]: (req: Request, server: Server<MediaSocketData>) => upgradeMedia(req, server as Server<unknown>),
    },
    fetch: (req: Request, server: Server<MediaSocketData>) => opts.app.fetch(req, { server: server as Server<unknown> }),
    // typed as the media socket's data for the Server<MediaSocketData> the rest of the code holds; bySocketKind
    // reads `kind` first, so an admin socket never reaches the media handler
    websocket: bySocketKind(opts.websocket, opts.adminSocket) as unknown as WebSocketHandler<MediaSocketData>,
  };
  if (early) return early.reload(options);
  return Bun.serve<MediaSocketData>(options);
}

/** One handler for every socket: each event goes to the handler of the socket's kind. Server-wide options are the media socket's. */
function bySocketKind(media: WebSocketHandler<MediaSocketData>, admin?: WebSocketHandler<AdminSocketData>): WebSocketHandler<SocketData> {
  type Ws = ServerWebSocket<SocketData>;
  const asAdmin = (ws: Ws) => (ws.data.kind === "admin" ? (ws as ServerWebSocket<AdminSocketData>) : undefined);
  const asMedia = (ws: Ws) => (ws.data.kind === "twilio-media" ? (ws as ServerWebSocket<MediaSocketData>) : undefined);
  return {
    ...media,
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
