/**
 * Worker entry for WhatsApp (kept beside cli.ts: in the compiled binary workers resolve from the bundle root).
 * Baileys is loaded only here, off the main thread; the supervisor (whatsapp/supervisor.ts) speaks to it through
 * the messages of whatsapp/protocol.ts.
 */
import { runWorker } from "./whatsapp/worker/main.ts";

declare const self: Worker;

runWorker(self as unknown as Parameters<typeof runWorker>[0]);
