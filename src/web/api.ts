/**
 * fetch wrapper for the admin API: JSON in/out, the session cookie goes along (same origin only); errors carry the
 * API's code, message and the field at fault (`{"error":{"code","message","field"}}`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Fired when an API call finds the session gone (see session.ts). */
export const SIGNED_OUT = "agentlocator:signed-out";

export interface ApiInit {
  method?: string;
  /** A JSON body; or a Blob/File sent as is with its own type (CSV upload). */
  body?: unknown;
  signal?: AbortSignal;
}

/** Requests under way (not the auth routes): signing out aborts them, so none reaches the server after the
 * session is revoked and comes back as a 401 the browser would log. */
const inFlight = new Set<AbortController>();

/** Aborts every request under way except the auth routes' (called when signing out). */
export function abortRequests(): void {
  for (const c of inFlight) c.abort();
  inFlight.clear();
}

export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const raw = init.body instanceof Blob;
  const own = path.startsWith("/api/auth/") ? undefined : new AbortController();
  if (own) inFlight.add(own);
  const signal = own && init.signal ? AbortSignal.any([own.signal, init.signal]) : (own?.signal ?? init.signal);
  const res = await fetch(path, {
    method: init.method ?? (init.body !== undefined ? "POST" : "GET"),
    credentials: "same-origin",
    headers: init.body === undefined ? undefined : { "content-type": raw ? (init.body as Blob).type || "text/csv" : "application/json" },
    body: init.body === undefined ? undefined : raw ? (init.body as Blob) : JSON.stringify(init.body),
    signal,
  }).finally(() => own && inFlight.delete(own));
  if (res.status === 204) return undefined as T;
  // the session ended meanwhile (signed out elsewhere, expired, deactivated): the app goes to the sign-in page
  if (res.status === 401 && !path.startsWith("/api/auth/")) dispatchEvent(new Event(SIGNED_OUT));
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? "error", data?.error?.message ?? res.statusText, data?.error?.field);
  return data as T;
}

/** A query string from the defined, non-empty values: `qs({q: "x", page: 2, tag: ""})` → `?q=x&page=2`. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The message to show for a failed call (the API's own one-line message names the field). */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));
