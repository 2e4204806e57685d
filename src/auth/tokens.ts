/**
 * Signed tokens (HS256 JWTs through hono/jwt): admin sessions (12 h) and the first-run setup link (30 min).
 * Each token carries a `typ` so a setup token can never be used as a session and vice versa.
 */
import { sign, verify } from "hono/jwt";
import type { Role } from "../roles.ts";

export const SESSION_TTL_S = 12 * 60 * 60;
export const SETUP_TTL_S = 30 * 60;

export interface SessionClaims {
  sub: number;
  role: Role;
  typ: "session";
}

export class Tokens {
  constructor(private secret: string) {}

  private async sign(payload: Record<string, unknown>, ttlS: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return sign({ ...payload, iat: now, exp: now + ttlS }, this.secret, "HS256");
  }

  /** The payload when the signature, expiry and `typ` check out; undefined otherwise (never throws). */
  async verify(token: string, typ: string): Promise<Record<string, unknown> | undefined> {
    try {
      const payload = (await verify(token, this.secret, "HS256")) as Record<string, unknown>;
      return payload.typ === typ ? payload : undefined;
    } catch {
      return undefined;
    }
  }

  session(userId: number, role: Role): Promise<string> {
    return this.sign({ sub: userId, role, typ: "session" }, SESSION_TTL_S);
  }

  setup(): Promise<string> {
    return this.sign({ typ: "setup", jti: crypto.randomUUID() }, SETUP_TTL_S);
  }
}
