/**
 * Bun.serve: the SPA (HTML import, bundled with Tailwind; compiled into the binary) under /app/*, everything else
 * through the Hono app. Listening happens before anything heavy is loaded.
 */
import type { Server } from "bun";
import type { Hono } from "hono";
import spa from "./web/index.html";
import type { AppEnv } from "./http/env.ts";

export interface ServeOptions {
  port: number;
  hostname: string;
  app: Hono<AppEnv>;
  /** Bun's dev mode (hot bundling, source maps) — off in the compiled binary. */
  development?: boolean;
}

export function serve(opts: ServeOptions): Server<unknown> {
  return Bun.serve({
    port: opts.port,
    hostname: opts.hostname,
    development: opts.development ?? false,
    routes: {
      "/app": spa,
      "/app/*": spa,
    },
    fetch: (req, server) => opts.app.fetch(req, { server }),
  });
}
