/** A provider failure as a typed value: which provider, what kind, and whether trying again may help. */
export type ProviderErrorKind = "unavailable" | "timeout" | "auth" | "bad_request" | "limit" | "aborted" | "unknown";

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly kind: ProviderErrorKind,
    readonly retryable: boolean,
    message: string,
  ) {
    super(`${provider}: ${message}`);
    this.name = "ProviderError";
  }
}

/** gRPC status code → kind/retryable (codes from grpc's status.proto). */
export function fromGrpc(provider: string, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as { code?: number; details?: string; message?: string };
  const message = e?.details || e?.message || String(err);
  switch (e?.code) {
    case 1:
      return new ProviderError(provider, "aborted", false, message);
    case 4:
      return new ProviderError(provider, "timeout", true, message);
    case 7:
    case 16:
      return new ProviderError(provider, "auth", false, message);
    case 3:
    case 5:
    case 9:
      return new ProviderError(provider, "bad_request", false, message);
    case 11:
      return new ProviderError(provider, "limit", true, message);
    case 8:
    case 10:
    case 13:
    case 14:
      return new ProviderError(provider, "unavailable", true, message);
    default:
      return new ProviderError(provider, "unknown", true, message);
  }
}
