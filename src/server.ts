/**
 * Bun.serve: the SPA (HTML import, bundled with Tailwind; compiled into the binary) under /app/*, the Twilio media
 * WebSocket natively at /ws/twilio-media, everything else through the Hono app.
 */
import type { Server, WebSocketHandler } from "bun";
import type { Hono } from "hono";
import spa from "./web/index.html";
import type { AppEnv } from "./http/env.ts";
import { MEDIA_PATH } from "./transports/twilio/twiml.ts";
import { upgradeMedia, type MediaSocketData } from "./transports/twilio/media-server.ts";

export interface ServeOptions {
  port: number;
  hostname: string;
  app: Hono<AppEnv>;
  websocket: WebSocketHandler<MediaSocketData>;
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
    websocket: opts.websocket,
  };
  if (early) return early.reload(options);
  return Bun.serve<MediaSocketData>(options);
}
