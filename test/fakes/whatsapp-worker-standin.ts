/**
 * A stand-in for the WhatsApp worker, speaking the worker protocol (whatsapp/protocol.ts) to the real supervisor.
 * No local server can complete WhatsApp's Noise handshake (its certificate is WhatsApp's), so Baileys never gets
 * as far as a QR code in a test; this worker plays WhatsApp's side of linking instead: on `connect` a QR code and
 * the account's restrictions (a reachout time lock and a capping warning), on `pair` a code — and a moment later
 * the phone "enters" it (`open`) — and on `logout` back to a fresh QR. Start it with the supervisor's `workerUrl`.
 */
import type { FromWorker, Request } from "../../src/whatsapp/protocol.ts";

declare const self: Worker;

const post = (m: FromWorker) => self.postMessage(m);
let qrs = 0;
let linked = false;

function showQr() {
  post({ kind: "ev", type: "connecting" });
  post({ kind: "ev", type: "qr", qr: `2@standin-${++qrs},${"A".repeat(40)},${"B".repeat(40)},${"C".repeat(20)}` });
  post({
    kind: "ev",
    type: "restrictions",
    restrictions: {
      reachoutTimeLock: { active: true, until: new Date(Date.now() + 6 * 3600_000).toISOString(), type: "new_chats" },
      messageCapping: { status: "FIRST_WARNING", used: 40, total: 50 },
    },
  });
}

self.onmessage = (e: MessageEvent<Request>) => {
  const req = e.data;
  const reply = (result: unknown) => post({ kind: "res", id: req.id, ok: true, result });
  switch (req.op) {
    case "init":
      return reply({ registered: linked });
    case "connect":
      reply({ started: true });
      return linked ? post({ kind: "ev", type: "open", me: "972501234567:3@s.whatsapp.net" }) : showQr();
    case "pair":
      reply({ code: "K7PD2QXA" });
      // the owner types the code on the phone a moment later
      setTimeout(() => {
        linked = true;
        post({ kind: "ev", type: "open", me: `${req.args.phone}:3@s.whatsapp.net` });
      }, 1500);
      return;
    case "logout":
      linked = false;
      return reply({});
    case "ping":
      return reply({ at: Date.now() });
    default:
      return reply({});
  }
};
