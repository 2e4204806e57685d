/**
 * A per-address budget for provider callbacks anyone can post: Tranzila's notify (unsigned) and PayPal's webhook.
 * Each forged request costs us a signed call to the provider (Tranzila's report, PayPal's verify) and may leave a
 * row kept for review, so an address gets at most CALLBACK_UNPROVEN_MAX requests that did not prove genuine per
 * CALLBACK_WINDOW_MS; beyond that it is answered 429 with Retry-After before anything else happens (providers
 * retry a 429). A request is counted before it runs, so a parallel flood is limited exactly like a sequential one;
 * one that proves genuine (verified by the provider) gives its count back, so real notifications never use the budget.
 *
 * The address is clientIp(): behind a reverse proxy TRUST_PROXY_HOPS must be set, or every caller shares the
 * proxy's address — and one flood would hold back the provider's real callbacks too.
 */
import type { Context } from "hono";
import { FailureLimiter } from "../auth/rate-limit.ts";
import { AppError } from "../errors.ts";
import { EV, log } from "../log.ts";
import { clientIp } from "./client-ip.ts";

/** Unproven callbacks one address may send per window. */
export const CALLBACK_UNPROVEN_MAX = 30;
/** The window, in ms (10 minutes). */
export const CALLBACK_WINDOW_MS = 10 * 60_000;

export class CallbackLimit {
  private limiter: FailureLimiter;

  constructor(
    private route: string,
    max = CALLBACK_UNPROVEN_MAX,
    windowMs = CALLBACK_WINDOW_MS,
    now?: () => number,
  ) {
    this.limiter = new FailureLimiter(max, windowMs, now);
  }

  /**
   * Runs `handle` unless the caller's address is out of budget (AppError rate_limited, 429). `proven(result)` says
   * whether the provider confirmed the callback; a throw (forged, unverifiable, malformed) keeps it counted.
   */
  async run<T>(c: Context, handle: () => Promise<T>, proven: (result: T) => boolean): Promise<T> {
    const address = clientIp(c);
    const taken = this.limiter.take(address);
    if (!taken.ok) {
      log.warn(EV.PAYMENT_CALLBACK_LIMITED, { route: this.route, address, retryAfterS: taken.retryAfterS });
      throw new AppError(
        "rate_limited",
        `too many unverified ${this.route} requests from this address (at most ${this.limiter.max} per ${this.limiter.windowMs / 60_000} minutes); try again in ${taken.retryAfterS} s`,
        undefined,
        { "Retry-After": String(taken.retryAfterS) },
      );
    }
    const result = await handle();
    if (proven(result)) this.limiter.release(address, taken.attempt);
    return result;
  }
}
