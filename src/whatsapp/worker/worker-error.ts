/** A request the worker refuses or fails, with the protocol's reason code (the supervisor maps it for users). */
import type { ReplyErrorCode } from "../protocol.ts";

export class WorkerError extends Error {
  constructor(
    readonly code: ReplyErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "WorkerError";
  }
}
