/**
 * A stand-in deployment that behaves like AgentLocator from outside — healthz, version, readyz, the app, TwiML,
 * status callbacks, a media WebSocket that greets with audio and marks — except for the one fault it is told to
 * have. The doctor must name each fault.
 */
import type { Server } from "bun";

export type Fault = "none" | "no-subprotocol" | "healthz-404" | "double-slash" | "query-string" | "status-200-body" | "silent-socket";

export function startBrokenServer(fault: Fault): Server<{ streamSid?: string }> & { base: string } {
  const server = Bun.serve<{ streamSid?: string }>({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req, srv) {
      const url = new URL(req.url);
      const base = `http://${url.host}`;
      switch (url.pathname) {
        case "/healthz":
          return fault === "healthz-404" ? new Response("Not Found", { status: 404 }) : new Response("ok");
        case "/version":
          return Response.json({ deployId: "fake-1", commit: "fake", builtAt: "now", version: "0.0.0" });
        case "/readyz":
          return Response.json({ ws: "ok", db: "ok", stt: "ok", tts: "ok", llm: "ok", whatsapp: "ok" });
        case "/app/admin/overview":
          return new Response("<!doctype html><html><body><div id=root></div></body></html>", { headers: { "content-type": "text/html" } });
        case "/webhook/incoming_call": {
          const form = new URLSearchParams(await req.text());
          let stream = `ws://${url.host}/ws/twilio-media`;
          if (fault === "double-slash") stream = `ws://${url.host}//ws/twilio-media`;
          if (fault === "query-string") stream = `ws://${url.host}/ws/twilio-media?call_sid=${form.get("CallSid")}`;
          const xml = `<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="${base}/webhook/stream_ended"><Stream url="${stream}" statusCallback="${base}/webhook/stream_status"><Parameter name="call_sid" value="${form.get("CallSid")}"/></Stream></Connect></Response>`;
          return new Response(xml, { headers: { "content-type": "text/xml" } });
        }
        case "/webhook/stream_status":
          return fault === "status-200-body" ? new Response("OK", { status: 200 }) : new Response(null, { status: 204 });
        case "/webhook/stream_ended":
          return new Response(null, { status: 204 });
        case "/ws/twilio-media":
        case "//ws/twilio-media": {
          const offered = (req.headers.get("sec-websocket-protocol") ?? "").split(",").map((s) => s.trim());
          // Bun echoes the first offered protocol by itself; this fault server strips it to mimic servers that do not
          const headers = fault !== "no-subprotocol" && offered.includes("audio.twilio.com") ? { "Sec-WebSocket-Protocol": "audio.twilio.com" } : undefined;
          if (fault === "no-subprotocol") {
            req.headers.delete("sec-websocket-protocol");
          }
          return srv.upgrade(req, { headers, data: {} }) ? undefined : new Response("upgrade", { status: 426 });
        }
      }
      return new Response("Not Found", { status: 404 });
    },
    websocket: {
      message(ws, message) {
        const msg = JSON.parse(String(message));
        if (msg.event !== "start" || fault === "silent-socket") return;
        ws.data.streamSid = msg.streamSid;
        for (let i = 0; i < 30; i++) ws.send(JSON.stringify({ event: "media", streamSid: msg.streamSid, media: { payload: Buffer.alloc(160, 0x55).toString("base64") } }));
        ws.send(JSON.stringify({ event: "mark", streamSid: msg.streamSid, mark: { name: "greeting" } }));
      },
    },
  });
  return Object.assign(server, { base: `http://127.0.0.1:${server.port}` });
}
