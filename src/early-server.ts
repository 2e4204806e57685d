/**
 * Binds the port before the application is loaded (imports nothing heavy): from the first milliseconds /healthz
 * answers `200 ok`, /readyz says everything is pending, and anything else gets 503 "starting". main.ts then swaps
 * the full application in with `server.reload`, without closing the socket.
 */
import type { Server } from "bun";
import type { MediaSocketData } from "./transports/twilio/media-server.ts";

const STARTING = JSON.stringify({ error: { code: "unavailable", message: "starting, try again in a moment" } });
const PENDING = JSON.stringify({ ws: "pending", db: "pending", stt: "pending", tts: "pending", llm: "pending", whatsapp: "pending" });

export function listenEarly(port: number, hostname: string): Server<MediaSocketData> {
  return Bun.serve<MediaSocketData>({
    port,
    hostname,
    development: false,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/healthz") return new Response("ok");
      if (path === "/readyz") return new Response(PENDING, { headers: { "content-type": "application/json" } });
      return new Response(STARTING, { status: 503, headers: { "content-type": "application/json", "retry-after": "1" } });
    },
    websocket: { message() {} },
  });
}
