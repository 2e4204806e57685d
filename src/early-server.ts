/**
 * Binds the port before the application is loaded (imports nothing heavy): from the first milliseconds /healthz
 * answers `200 ok` and /readyz says everything is pending. Every other request — Twilio's incoming_call, a login,
 * /version — waits (up to 10 s) until main.ts has swapped the application in with `server.reload` and called
 * `ready`, and is then answered by the application itself; only if it is still not there after the wait does it
 * get 503 with Retry-After. The socket is never closed in between.
 */
import type { Server } from "bun";
import type { MediaSocketData } from "./transports/twilio/media-server.ts";

/** Answers a request exactly as the running server would (HTTP, the SPA, the media WebSocket upgrade). */
export type Dispatch = (req: Request, server: Server<MediaSocketData>) => Response | undefined | Promise<Response | undefined>;

export interface EarlyServer {
  server: Server<MediaSocketData>;
  /** The application is in: requests that were waiting are handed to `dispatch`. */
  ready(dispatch: Dispatch): void;
}

/** How long a request that arrives during start-up waits for the application (ms). */
export const EARLY_WAIT_MS = 10_000;

const STARTING = JSON.stringify({ error: { code: "unavailable", message: "starting, try again in a moment" } });
const PENDING = JSON.stringify({ ws: "pending", db: "pending", stt: "pending", tts: "pending", llm: "pending", whatsapp: "pending" });

export function listenEarly(port: number, hostname: string, waitMs = EARLY_WAIT_MS): EarlyServer {
  let dispatch: Dispatch | undefined;
  const waiting = new Set<(d: Dispatch) => void>();

  const appOrTimeout = () =>
    new Promise<Dispatch | undefined>((resolve) => {
      const done = (d?: Dispatch) => {
        clearTimeout(timer);
        waiting.delete(done);
        resolve(d);
      };
      const timer = setTimeout(done, waitMs);
      waiting.add(done);
    });

  const server = Bun.serve<MediaSocketData>({
    port,
    hostname,
    development: false,
    async fetch(req, srv) {
      const path = new URL(req.url).pathname;
      if (path === "/healthz") return new Response("ok");
      if (path === "/readyz") return new Response(PENDING, { headers: { "content-type": "application/json" } });
      const app = dispatch ?? (await appOrTimeout());
      if (app) return app(req, srv);
      return new Response(STARTING, { status: 503, headers: { "content-type": "application/json", "retry-after": "1" } });
    },
    websocket: { message() {} },
  });

  return {
    server,
    ready(d) {
      dispatch = d;
      for (const resume of [...waiting]) resume(d);
    },
  };
}
