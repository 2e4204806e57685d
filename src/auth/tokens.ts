/**
 * Signed tokens (HS256 JWTs through hono/jwt), each with a `typ` so one kind can never stand in for another:
 * - `session` (12 h): an admin session; its `jti` names the server-side session row that logout, a password change
 *   or deactivation revokes.
 * - `setup` (30 min): the first-run link that creates the owner; spent once any user exists.
 * - `set-password` (72 h): an invitation or reset link for one user, bound to a fingerprint of that user's current
 *   password hash — setting the password changes the hash, so the link works once.
 * A token without `exp` is refused, whatever its signature.
 */
import { sign, verify } from "hono/jwt";
import type { Role } from "../roles.ts";

export const SESSION_TTL_S = 12 * 60 * 60;
export const SETUP_TTL_S = 30 * 60;
export const SET_PASSWORD_TTL_S = 72 * 60 * 60;

export interface SessionClaims {
  sub: number;
  jti: string;
  exp: number;
}

export interface SetPasswordClaims {
  sub: number;
  /** Fingerprint of the password hash the link was issued against. */
  fp: string;
  exp: number;
}

export class Tokens {
  constructor(private secret: string) {}

  private async sign(payload: Record<string, unknown>, ttlS: number): Promise<{ token: string; exp: number }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + ttlS;
    return { token: await sign({ ...payload, iat: now, exp }, this.secret, "HS256"), exp };
  }

  /** The payload when the signature, expiry and `typ` check out; undefined otherwise (never throws). */
  async verify(token: string, typ: string): Promise<Record<string, unknown> | undefined> {
    try {
      const payload = (await verify(token, this.secret, "HS256")) as Record<string, unknown>;
      // hono/jwt checks `exp` only when present: a token that never expires is not one we issued
      if (typeof payload.exp !== "number") return undefined;
      return payload.typ === typ ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  async session(userId: number, role: Role, jti: string): Promise<{ token: string; exp: number }> {
    return this.sign({ sub: userId, role, typ: "session", jti }, SESSION_TTL_S);
  }

  async verifySession(token: string): Promise<SessionClaims | undefined> {
    const p = await this.verify(token, "session");
    if (!p || typeof p.sub !== "number" || typeof p.jti !== "string" || typeof p.exp !== "number") return undefined;
    // the role is read from the database on every request, never from the token
    return { sub: p.sub, jti: p.jti, exp: p.exp };
  }

  async setup(): Promise<string> {
    return (await this.sign({ typ: "setup", jti: crypto.randomUUID() }, SETUP_TTL_S)).token;
  }

  setPassword(userId: number, fingerprint: string): Promise<{ token: string; exp: number }> {
    return this.sign({ typ: "set-password", sub: userId, fp: fingerprint }, SET_PASSWORD_TTL_S);
  }

  async verifySetPassword(token: string): Promise<SetPasswordClaims | undefined> {
    const p = await this.verify(token, "set-password");
    if (!p || typeof p.sub !== "number" || typeof p.fp !== "string" || typeof p.exp !== "number") return undefined;
    return { sub: p.sub, fp: p.fp, exp: p.exp };
  }
}
