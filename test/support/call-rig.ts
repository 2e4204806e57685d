/**
 * A full call rig on loopback: the real server (in this process) with the Google gRPC stand-in, optionally the
 * OpenAI-compatible stand-in and Twilio's REST stand-in, and helpers to place calls with the simulated caller.
 */
import type { StartOptions } from "../../src/main.ts";
import { SimulatedCaller, type CallerOptions } from "../../src/sim/caller.ts";
import { FakeGoogle } from "../fakes/google.ts";
import { FakeLlm } from "../fakes/llm.ts";
import { FakeTwilioRest } from "../fakes/twilio-rest.ts";
import { startInProcess } from "./server.ts";

export interface Rig {
  google: FakeGoogle;
  llm?: FakeLlm;
  rest: FakeTwilioRest;
  server: Awaited<ReturnType<typeof startInProcess>>;
  call(o?: Partial<CallerOptions>): Promise<SimulatedCaller>;
  token(): Promise<string>;
  /** Fresh stand-in scripts and records (call it before each test). */
  reset(): void;
  /** GET (or `init`) an /api path as the owner; the parsed JSON. */
  api(path: string, init?: RequestInit): Promise<any>;
  stop(): Promise<void>;
}

export async function startRig(o: { llm?: boolean; env?: Record<string, string>; google?: boolean; start?: StartOptions } = {}): Promise<Rig> {
  const google = await new FakeGoogle().start();
  const llm = o.llm ? new FakeLlm().start() : undefined;
  const rest = new FakeTwilioRest().start();
  const env: Record<string, string> = {
    AGENT_LANGUAGE: "en-US",
    STT_LANGUAGE: "en-US",
    TTS_VOICE: "en-US-Wavenet-D",
    TWILIO_API_URL: rest.url,
    WS_PING_INTERVAL_MS: "1000",
    ADMIN_EMAIL: "owner@example.com",
    ADMIN_PASSWORD: "owner-password",
    ...(o.google === false ? {} : { SPEECH_EMULATOR_HOST: google.host, TTS_EMULATOR_HOST: google.host }),
    ...(llm ? { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: "test-key", LLM_MODEL: "fake-model" } : {}),
    ...o.env,
  };
  const server = await startInProcess(env, o.start);
  await server.warmed;
  const callers: SimulatedCaller[] = [];
  const token = async () => {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  return {
    google,
    llm,
    rest,
    server,
    async call(co = {}) {
      const caller = new SimulatedCaller({ baseUrl: server.url, ...co });
      callers.push(caller);
      await caller.dial();
      await caller.connect();
      return caller;
    },
    token,
    reset() {
      google.reset();
      llm?.reset();
      rest.reset();
    },
    async api(path, init = {}) {
      const res = await fetch(`${server.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json", ...(init.headers ?? {}) },
      });
      return res.json();
    },
    async stop() {
      await Promise.all(callers.map((c) => c.hangup().catch(() => {})));
      await server.stop(2000);
      llm?.stop();
      rest.stop();
      await google.stop();
    },
  };
}
