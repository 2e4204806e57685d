import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../src/config.ts";

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe("config", () => {
  test("defaults with an empty environment", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe("0.0.0.0");
    expect(c.dataDir).toBe("./data");
    expect(c.databasePath).toBe("./data/agentlocator.db");
    expect(c.sttLanguage).toBe("iw-IL");
    expect(c.ttsVoice).toBe("he-IL-Wavenet-A");
    expect(c.agentLanguage).toBe("he-IL");
    expect(c.eouSilenceMs).toBe(500);
    expect(c.bargeInMs).toBe(200);
    expect(c.wsPingIntervalMs).toBe(10000);
    expect(c.google).toEqual({ kind: "none" });
    expect(c.llm).toBeUndefined();
    expect(c.whatsappEnabled).toBe(false);
    expect(Object.isFrozen(c)).toBe(true);
  });

  test.each([
    [{ PORT: "abc" }, "PORT", /integer 0–65535.*"abc"/],
    [{ PORT: "70000" }, "PORT", /0–65535/],
    [{ EOU_SILENCE_MS: "50" }, "EOU_SILENCE_MS", /300–600/],
    [{ EOU_SILENCE_MS: "900" }, "EOU_SILENCE_MS", /300–600/],
    [{ PUBLIC_BASE_URL: "example.com" }, "PUBLIC_BASE_URL", /http\(s\) URL/],
    [{ PUBLIC_BASE_URL: "ftp://example.com" }, "PUBLIC_BASE_URL", /http\(s\) URL/],
    [{ PUBLIC_BASE_URL: "https://example.com/?x=1" }, "PUBLIC_BASE_URL", /without query/],
    [{ GCP_CREDENTIALS_JSON: "{not json" }, "GCP_CREDENTIALS_JSON", /client_email and private_key.*<hidden>/],
    [{ GCP_CREDENTIALS_JSON: '{"client_email":"a@b.c"}' }, "GCP_CREDENTIALS_JSON", /private_key/],
    [{ AGENT_LANGUAGE: "fr-FR" }, "AGENT_LANGUAGE", /he-IL or en-US/],
    [{ TRANSFER_NUMBER: "0501234567" }, "TRANSFER_NUMBER", /E\.164/],
    [{ WHATSAPP_ENABLED: "maybe" }, "WHATSAPP_ENABLED", /true or false/],
    [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL", /debug, info, warn or error/],
    [{ LOG_FORMAT: "xml" }, "LOG_FORMAT", /json or pretty/],
    [{ SPEECH_EMULATOR_HOST: "localhost" }, "SPEECH_EMULATOR_HOST", /host:port/],
    [{ WS_PING_INTERVAL_MS: "10" }, "WS_PING_INTERVAL_MS", /100–60000/],
    [{ TWILIO_ACCOUNT_SID: "XX123" }, "TWILIO_ACCOUNT_SID", /AC followed by 32 hex/],
    [{ JWT_SECRET: "short" }, "JWT_SECRET", /at least 16.*<hidden>/],
    [{ ADMIN_EMAIL: "owner@example.com" }, "ADMIN_PASSWORD", /must be set when ADMIN_EMAIL/],
    [{ ADMIN_EMAIL: "nope", ADMIN_PASSWORD: "longenough" }, "ADMIN_EMAIL", /email address/],
    [{ DATABASE_URL: "postgres://u@h/db" }, "DATABASE_URL", /sqlite:PATH/],
  ] as const)("%o is rejected naming %s", (env, variable, message) => {
    const err = errorOf(env);
    expect(err.variable).toBe(variable);
    expect(err.message.startsWith(variable)).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain("\n");
  });

  test("secrets are never echoed in the error", () => {
    const err = errorOf({ JWT_SECRET: "tiny-secret" });
    expect(err.message).not.toContain("tiny-secret");
  });

  test("both Google credential variables is not fatal but a conflict", () => {
    const c = loadConfig({
      GOOGLE_APPLICATION_CREDENTIALS: "/x.json",
      GCP_CREDENTIALS_JSON: JSON.stringify({ client_email: "a@b.c", private_key: "-----BEGIN PRIVATE KEY-----x" }),
    });
    expect(c.google.kind).toBe("conflict");
    if (c.google.kind === "conflict") expect(c.google.reason).toMatch(/GOOGLE_APPLICATION_CREDENTIALS.*GCP_CREDENTIALS_JSON/);
  });

  test("values are normalised", () => {
    const c = loadConfig({
      PUBLIC_BASE_URL: "https://agent.example.com/",
      DATABASE_URL: "sqlite:/var/db/x.db",
      PORT: "8080",
      WHATSAPP_ENABLED: "true",
      OPENAI_BASE_URL: "http://127.0.0.1:9999/v1/",
      PORT_UNUSED: "",
      HOST: "",
    });
    expect(c.publicBaseUrl).toBe("https://agent.example.com");
    expect(c.databasePath).toBe("/var/db/x.db");
    expect(c.port).toBe(8080);
    expect(c.host).toBe("0.0.0.0");
    expect(c.whatsappEnabled).toBe(true);
    expect(c.llm).toEqual({ apiKey: undefined, baseUrl: "http://127.0.0.1:9999/v1", model: "gpt-4o-mini" });
  });
});
