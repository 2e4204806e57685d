/**
 * The worker's side of the protocol: one reply per request (result or error), events posted as they happen.
 * An unhandled rejection (Baileys leaks a few when a socket closes mid-query) is logged and the worker goes on;
 * an uncaught exception ends the worker, and the supervisor starts a fresh one.
 */
import { join } from "node:path";
import { EV } from "../../log.ts";
import { MediaStore } from "../media-store.ts";
import { FAULTS, type FromWorker, type Ops, type Request, type WorkerInit } from "../protocol.ts";
import { SqliteAuthStore } from "./auth-store.ts";
import { Connection } from "./connection.ts";
import { injectFault } from "./faults.ts";
import { WorkerError } from "./worker-error.ts";

export interface Port {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<Request>) => void) | null;
}

export function runWorker(port: Port): void {
  const post = (m: FromWorker) => port.postMessage(m);
  let init: WorkerInit | undefined;
  let store: SqliteAuthStore | undefined;
  let conn: Connection | undefined;

  process.on("unhandledRejection", (err) => post({ kind: "ev", type: "log", level: "warn", event: EV.WHATSAPP_WORKER_REJECTION, fields: { err: String(err).slice(0, 500) } }));

  const ready = (): Connection => {
    if (!conn) throw new WorkerError("bad_request", "the worker has not been initialised");
    return conn;
  };

  const handlers: { [K in keyof Ops]: (args: Ops[K]["args"]) => Promise<Ops[K]["result"]> | Ops[K]["result"] } = {
    init: (args) => {
      if (!conn) {
        init = args;
        store = new SqliteAuthStore(join(args.dataDir, "whatsapp.db"));
        conn = new Connection(store, new MediaStore(args.dataDir), post, { wsUrl: args.wsUrl, connectTimeoutMs: args.connectTimeoutMs });
      }
      return { registered: conn.registered, me: store!.creds.me?.id };
    },
    connect: () => ({ started: ready().connect() }),
    disconnect: async () => {
      await ready().disconnect();
      return {};
    },
    pair: async ({ phone }) => {
      if (!/^[1-9]\d{6,14}$/.test(phone)) throw new WorkerError("bad_request", "phone must be digits with the country code, no +");
      return { code: await ready().pair(phone) };
    },
    logout: async () => {
      await ready().logout();
      return {};
    },
    wipe: () => {
      ready().wipe();
      return {};
    },
    send: ({ to, text }) => ready().send(to, text),
    ping: () => ({ at: Date.now() }),
    refreshVersion: () => ready().refreshVersion(),
    fault: ({ fault, code }) => {
      // honoured only when the supervisor that started this worker was built with faults on (tests)
      if (!init?.faults || !FAULTS.includes(fault)) throw new WorkerError("bad_request", "fault injection is off");
      injectFault(fault, conn?.socket, code);
      return {};
    },
  };

  port.onmessage = async (event) => {
    const req = event.data;
    if (!req || req.kind !== "req" || typeof req.id !== "number" || !(req.op in handlers)) return;
    try {
      const handler = handlers[req.op] as (args: unknown) => unknown;
      const result = await handler(req.args ?? {});
      post({ kind: "res", id: req.id, ok: true, result });
    } catch (err) {
      const code = err instanceof WorkerError ? err.code : "failed";
      post({ kind: "res", id: req.id, ok: false, error: { code, message: (err instanceof Error ? err.message : String(err)).slice(0, 500) } });
    }
  };
}
