/**
 * Failure modes the crash-isolation tests inject into a live worker. Reached only through the `fault` op, which the
 * worker refuses unless its supervisor was constructed with `faults: true` — an option no configuration variable
 * or route can set.
 */
import { EventEmitter } from "node:events";
import type { WASocket } from "@whiskeysockets/baileys";
import type { Fault } from "../protocol.ts";

export function injectFault(fault: Fault, sock: WASocket | undefined, code?: number): void {
  switch (fault) {
    case "throw":
      setTimeout(() => {
        throw new Error("injected fault: uncaught exception");
      });
      return;
    case "reject":
      void Promise.reject(new Error("injected fault: unhandled rejection"));
      return;
    case "exit":
      setTimeout(() => process.exit(3));
      return;
    case "handler-throw": {
      // a listener that throws while an event is being delivered — on Baileys' own emitter when a socket exists
      const throwing = () => {
        throw new Error("injected fault: exception in an event handler");
      };
      if (sock) {
        sock.ev.on("connection.update", throwing);
        setTimeout(() => sock.ev.emit("connection.update", {}));
      } else {
        const ee = new EventEmitter();
        ee.on("event", throwing);
        setTimeout(() => ee.emit("event"));
      }
      return;
    }
    case "close":
      // Baileys' own close path, with the status code WhatsApp would have sent (read as error.output.statusCode)
      if (sock) void sock.end(Object.assign(new Error(`injected close ${code}`), { output: { statusCode: code } }));
      return;
    case "hang":
      // the event loop never comes back: only a ping timeout and terminate() can end this
      setTimeout(() => {
        for (;;);
      });
      return;
  }
}
