/** JWT_SECRET from the environment, or one generated on first start and kept in DATA_DIR/jwt_secret (mode 0600). */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function resolveJwtSecret(fromEnv: string | undefined, dataDir: string): { secret: string; generated: boolean } {
  if (fromEnv) return { secret: fromEnv, generated: false };
  const file = join(dataDir, "jwt_secret");
  if (existsSync(file)) {
    const kept = readFileSync(file, "utf8").trim();
    if (kept.length >= 32) {
      // it signs every session: owner-only, also when an older version left it readable
      chmodSync(file, 0o600);
      return { secret: kept, generated: false };
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // 48 random bytes → 64 base64url characters; HS256 wants at least 32 bytes of key.
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return { secret, generated: true };
}
