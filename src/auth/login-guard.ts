/**
 * Password-guessing limits, applied before the (expensive) password check:
 * - per address: 5 attempts a minute. A success gives back its own attempt and clears that address's failures for
 *   the same account only — signing in to account A never wipes the address's failures against account B.
 * - per account: 10 attempts in 5 minutes from addresses the account has not signed in from before. Addresses it
 *   has signed in from (see SessionService.knownAddress) skip this limit, so a distributed attack can slow the owner
 *   down at most on a new address, for at most 5 minutes after it stops — never lock them out at their desk.
 * Blocked → AppError rate_limited with Retry-After.
 */
import { AppError } from "../errors.ts";
import { FailureLimiter } from "./rate-limit.ts";

const limited = (why: string, wait: number) =>
  new AppError("rate_limited", `too many sign-in attempts ${why}; try again in ${wait} s`, undefined, { "Retry-After": String(wait) });

export interface LoginLimits {
  perAddress: { max: number; windowMs: number };
  perAccount: { max: number; windowMs: number };
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perAddress: { max: 5, windowMs: 60_000 },
  perAccount: { max: 10, windowMs: 5 * 60_000 },
};

/** One admitted attempt: report its outcome exactly once. */
export interface LoginTicket {
  /** Right password: the attempt is given back and this address's failures for this account are forgotten. */
  succeeded(): void;
  /** Wrong password: the attempt stays counted. */
  failed(): void;
  /** The password was never checked (server busy): the attempt is given back. */
  cancelled(): void;
}

export class LoginGuard {
  readonly byAddress: FailureLimiter;
  readonly byAccount: FailureLimiter;

  constructor(limits: LoginLimits = DEFAULT_LOGIN_LIMITS, now: () => number = Date.now) {
    this.byAddress = new FailureLimiter(limits.perAddress.max, limits.perAddress.windowMs, now);
    this.byAccount = new FailureLimiter(limits.perAccount.max, limits.perAccount.windowMs, now);
  }

  /**
   * Counts an attempt for `account` from `address`, or throws rate_limited. Synchronous, so parallel requests are
   * counted one by one. `knownAddress`: the account has signed in from this address before.
   */
  admit(address: string, account: string, knownAddress: boolean): LoginTicket {
    const byAddress = this.byAddress.take(address, account);
    if (!byAddress.ok) throw limited("from this address", byAddress.retryAfterS);
    const byAccount = knownAddress ? undefined : this.byAccount.take(account);
    if (byAccount && !byAccount.ok) {
      this.byAddress.release(address, byAddress.attempt);
      throw limited("for this account", byAccount.retryAfterS);
    }
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    const giveBack = () => {
      this.byAddress.release(address, byAddress.attempt);
      if (byAccount?.ok) this.byAccount.release(account, byAccount.attempt);
    };
    return {
      succeeded: () =>
        settle(() => {
          giveBack();
          this.byAddress.forget(address, account);
        }),
      failed: () => settle(() => {}),
      cancelled: () => settle(giveBack),
    };
  }
}
