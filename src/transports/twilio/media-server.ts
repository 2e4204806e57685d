/**
 * The media WebSocket on Bun.serve: the upgrade (echoing `Sec-WebSocket-Protocol: audio.twilio.com` only when the
 * client offers it — Twilio fails with 31920 without it, standard clients fail when it is sent unasked) and the
 * handlers that route each socket's events to its MediaConnection.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import { EV, log } from "../../log.ts";
import { MediaConnection, type MediaConnectionDeps } from "./media-connection.ts";

export const TWILIO_SUBPROTOCOL = "audio.twilio.com";

export interface MediaSocketData {
  kind: "twilio-media";
  connection?: MediaConnection;
}

/** Upgrades the request; a plain GET (no upgrade) gets 426. */
export function upgradeMedia(req: Request, server: Server<unknown>): Response | undefined {
  const offered = (req.headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const headers = offered.includes(TWILIO_SUBPROTOCOL) ? { "Sec-WebSocket-Protocol": TWILIO_SUBPROTOCOL } : undefined;
  const data: MediaSocketData = { kind: "twilio-media" };
  if ((server as Server<MediaSocketData>).upgrade(req, { headers, data })) return undefined;
  return new Response("this endpoint takes a WebSocket upgrade (Twilio Media Streams)", { status: 426, headers: { Upgrade: "websocket" } });
}

export function mediaWebSocketHandler(deps: () => MediaConnectionDeps): WebSocketHandler<MediaSocketData> {
  return {
    perMessageDeflate: false,
    // our own pings (WS_PING_INTERVAL_MS) keep the socket alive and are logged
    sendPings: false,
    idleTimeout: 120,
    open(ws: ServerWebSocket<MediaSocketData>) {
      ws.data.connection = new MediaConnection(ws, deps());
    },
    message(ws, message) {
      try {
        ws.data.connection?.onMessage(message);
      } catch (err) {
        // one bad message or a bug in one call never takes the socket (or the server) down
        log.error(EV.WS_HANDLER_ERROR, { err });
      }
    },
    close(ws, code, reason) {
      ws.data.connection?.onClose(code, reason);
    },
    pong(ws) {
      ws.data.connection?.onPong();
    },
  };
}
