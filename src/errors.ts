/**
 * Typed errors used inside the program. Only src/http maps them to status codes (see http/errors.ts),
 * so a service says *what* went wrong, never *which* HTTP status to send.
 */
export type ErrorCode =
  | "bad_request"
  | "bad_json"
  | "validation"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "not_configured"
  | "gone"
  | "unavailable"
  /** A provider we depend on (PayPal, Tranzila) failed, timed out or refused us. */
  | "upstream"
  | "internal";

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, when there is one. */
    readonly field?: string,
    /** Extra response headers (e.g. Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
  }
}
