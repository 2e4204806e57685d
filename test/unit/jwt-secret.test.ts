import { expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { resolveJwtSecret } from "../../src/auth/jwt-secret.ts";
import { tempDir } from "../support/server.ts";

test("JWT_SECRET unset: generated once into DATA_DIR/jwt_secret (0600) and reused; the variable wins", () => {
  const dir = join(tempDir(), "data");
  const first = resolveJwtSecret(undefined, dir);
  expect(first.generated).toBe(true);
  expect(first.secret.length).toBeGreaterThanOrEqual(32);
  expect(statSync(join(dir, "jwt_secret")).mode & 0o777).toBe(0o600);
  const again = resolveJwtSecret(undefined, dir);
  expect(again).toEqual({ secret: first.secret, generated: false });
  expect(resolveJwtSecret("from-the-environment-123", dir)).toEqual({ secret: "from-the-environment-123", generated: false });
});
