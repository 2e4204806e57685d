/**
 * A worker whose module takes 1.5 s of busy CPU to load — as Baileys can on a slow or busy machine — before it
 * listens for requests; then it answers init, connect (a QR) and ping like the linking stand-in.
 */
import type { FromWorker, Request } from "../../src/whatsapp/protocol.ts";

declare const self: Worker;

const until = Date.now() + 1500;
while (Date.now() < until) {
  // a module still loading: the thread answers nothing meanwhile
}

const post = (m: FromWorker) => self.postMessage(m);
self.onmessage = (e: MessageEvent<Request>) => {
  const req = e.data;
  const reply = (result: unknown) => post({ kind: "res", id: req.id, ok: true, result });
  if (req.op === "init") return reply({ registered: false });
  if (req.op === "connect") {
    reply({ started: true });
    post({ kind: "ev", type: "connecting" });
    return post({ kind: "ev", type: "qr", qr: `2@slow,${"A".repeat(40)},${"B".repeat(40)},${"C".repeat(20)}` });
  }
  if (req.op === "ping") return reply({ at: Date.now() });
  return reply({});
};
