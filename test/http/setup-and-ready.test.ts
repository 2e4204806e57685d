import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { logLines, startInProcess, tempDir } from "../support/server.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

test("with no admin, start logs a one-time setup link that creates the owner once", async () => {
  const server = await startInProcess({ PUBLIC_BASE_URL: "https://agent.example.com/" });
  try {
    const link = logLines.findLast((l) => l.event === "setup.link")!.url as string;
    expect(link).toStartWith("https://agent.example.com/app/setup?token=");
    const token = new URL(link).searchParams.get("token")!;
    const post = (body: unknown) =>
      fetch(`${server.url}/api/auth/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    const weak = await post({ token, email: "boss@example.com", password: "short" });
    expect(weak.status).toBe(422);
    const wrong = await post({ token: token.slice(0, -2) + "xx", email: "boss@example.com", password: "long-password" });
    expect(wrong.status).toBe(401);

    const ok = await post({ token, email: "boss@example.com", password: "long-password", name: "Boss" });
    expect(ok.status).toBe(200);
    const { token: session } = (await ok.json()) as { token: string };
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${session}` } });
    expect(((await me.json()) as { user: { role: string } }).user.role).toBe("owner");

    const again = await post({ token, email: "other@example.com", password: "long-password" });
    expect(again.status).toBe(409);
    // a setup token is not a session
    const asSession = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(asSession.status).toBe(401);
  } finally {
    await server.stop();
  }
});

test("readyz reflects a database failure; the server stays up and /api answers 503", async () => {
  const dataDir = tempDir();
  // the database path is a directory: SQLite cannot open it
  const dbPath = join(dataDir, "db-is-a-dir");
  mkdirSync(dbPath);
  const server = await startInProcess({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${dbPath}` });
  try {
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { db: string; details: { db: string } };
    expect(ready.db).toBe("err");
    expect(ready.details.db.length).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const login = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "a@b.co", password: "x" }) });
    expect(login.status).toBe(503);
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe("unavailable");
  } finally {
    await server.stop();
  }
});

test("both Google credentials: server runs, readyz says stt/tts err naming both", async () => {
  const server = await startInProcess({
    GOOGLE_APPLICATION_CREDENTIALS: "/nonexistent.json",
    GCP_CREDENTIALS_JSON: JSON.stringify({ client_email: "a@b.c", private_key: "-----BEGIN PRIVATE KEY-----\nabc" }),
  });
  try {
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as Record<string, string> & { details: Record<string, string> };
    expect(ready.stt).toBe("err");
    expect(ready.tts).toBe("err");
    expect(ready.details.stt).toContain("GOOGLE_APPLICATION_CREDENTIALS");
    expect(ready.details.stt).toContain("GCP_CREDENTIALS_JSON");
    expect(JSON.stringify(logLines)).not.toContain("BEGIN PRIVATE KEY");
  } finally {
    await server.stop();
  }
});
