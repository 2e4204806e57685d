/** `bun run build` makes one file that runs alone from an empty folder. */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BEEP } from "../../src/audio/tones.ts";
import { SimulatedCaller } from "../../src/sim/caller.ts";
import { FakeGoogle } from "../fakes/google.ts";
import { FakeWhatsappServer } from "../fakes/whatsapp-ws.ts";
import { ROOT, spawnServer, tempDir, type Spawned } from "../support/server.ts";
import { speech } from "../support/speech.ts";

let server: Spawned | undefined;
const whatsapp = new FakeWhatsappServer("close").start();
const google = await new FakeGoogle().start();
afterAll(async () => {
  server?.proc.kill("SIGTERM");
  await server?.exited;
  whatsapp.stop();
  await google.stop();
});

test(
  "the compiled binary serves /healthz, /version and the SPA from an empty folder",
  async () => {
    const buildDir = tempDir("al-build-");
    const built = Bun.spawnSync(["bun", join(ROOT, "scripts/build.ts"), join(buildDir, "agentlocator")], { cwd: ROOT });
    expect(built.exitCode).toBe(0);
    expect(readdirSync(buildDir)).toEqual(["agentlocator"]);

    const runDir = tempDir("al-run-");
    copyFileSync(join(buildDir, "agentlocator"), join(runDir, "agentlocator"));
    Bun.spawnSync(["chmod", "+x", join(runDir, "agentlocator")]);
    const version = Bun.spawnSync([join(runDir, "agentlocator"), "--version"], { cwd: runDir }).stdout.toString().trim();
    expect(version).toMatch(/-\d{8}T\d{6}Z$/);

    server = await spawnServer({ cmd: [join(runDir, "agentlocator")], cwd: runDir, env: { DATA_DIR: "./data" } });
    await server.waitFor("db.migrated");
    expect(await (await fetch(`${server.url}/healthz`)).text()).toBe("ok");
    const v = (await (await fetch(`${server.url}/version`)).json()) as { deployId: string };
    expect(v.deployId).toBe(version);
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { db: string };
    expect(ready.db).toBe("ok");

    const page = await fetch(`${server.url}/app/admin/overview`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    // the stylesheet is Tailwind output, not the raw `@import "tailwindcss"`
    const css = html.match(/href="([^"]+\.css)"/)![1]!;
    const sheet = await (await fetch(new URL(css, server.url))).text();
    expect(sheet).toContain(".bg-indigo-600");
    // one stylesheet: Tailwind's output and the charts' rules together
    expect(html.match(/rel="stylesheet"/g)).toHaveLength(1);
    expect(sheet).toContain(".uplot");
    const script = html.match(/src="([^"]+\.js)"/)![1]!;
    expect((await fetch(new URL(script, server.url))).status).toBe(200);
    expect(existsSync(join(runDir, "data", "agentlocator.db"))).toBe(true);

    // assets/ inside the binary: the favicon (at /favicon.ico too), the logo, the page's icon and the app's logo
    const asset = (name: string) => new Uint8Array(readFileSync(join(ROOT, "assets", name)));
    const ico = await fetch(`${server.url}/favicon.ico`);
    expect(ico.headers.get("content-type")).toBe("image/x-icon");
    expect(new Uint8Array(await ico.arrayBuffer())).toEqual(asset("favicon.ico"));
    expect(new Uint8Array(await (await fetch(`${server.url}/assets/logo.svg`)).arrayBuffer())).toEqual(asset("logo.svg"));
    const icon = html.match(/<link rel="icon"[^>]*href="([^"]+)"/)![1]!;
    expect(new Uint8Array(await (await fetch(new URL(icon, server.url))).arrayBuffer())).toEqual(asset("favicon.svg"));
    const bundle = await (await fetch(new URL(script, server.url))).text();
    const logoUrl = bundle.match(/\/logo-[\w]+\.svg/)![0];
    expect(new Uint8Array(await (await fetch(new URL(logoUrl, server.url))).arrayBuffer())).toEqual(asset("logo.svg"));

    // a call with no keys at all: voicemail, spoken by the espeak-ng WASM inside the binary
    const caller = new SimulatedCaller({ baseUrl: server.url });
    await caller.dial();
    await caller.connect();
    await caller.waitForQuiet(300, 15_000);
    expect(caller.frames.length).toBeGreaterThan(100);
    expect(caller.protocol).toBe("audio.twilio.com");
    // the voicemail beep is assets/sounds/beep.wav, read from inside the binary
    const heard = Buffer.concat(caller.frames.map((f) => f.payload));
    expect(heard.indexOf(Buffer.from(BEEP.subarray(1600, 1760)))).toBeGreaterThan(-1);
    await caller.hangup();

    // the binary's own doctor and caller work from the empty folder too
    const doctor = Bun.spawnSync([join(runDir, "agentlocator"), "doctor", server.url, "--json"], { cwd: runDir });
    const report = JSON.parse(doctor.stdout.toString()) as { ok: boolean; checks: Array<{ id: string; outcome: string }> };
    expect(report.checks.filter((c) => c.outcome === "fail")).toEqual([]);
    expect(doctor.exitCode).toBe(0);
    const call = Bun.spawnSync([join(runDir, "agentlocator"), "call", server.url, "--say", "שלום", "--voice", "he", "--out", join(runDir, "reply.wav")], { cwd: runDir });
    expect(call.stdout.toString()).toContain("greeting");
    expect(existsSync(join(runDir, "reply.wav"))).toBe(true);

    // WhatsApp: the Baileys worker (an entrypoint of its own inside the binary) connects to the local stand-in and
    // reads its close; the session file is created owner-only
    server.proc.kill("SIGTERM");
    await server.exited;
    server = await spawnServer({ cmd: [join(runDir, "agentlocator")], cwd: runDir, env: { DATA_DIR: "./data", WHATSAPP_ENABLED: "true", WHATSAPP_WS_URL: whatsapp.url } });
    await whatsapp.until(() => whatsapp.attempts.length >= 1, 20_000, "the binary's Baileys socket");
    expect(whatsapp.attempts[0]!.origin).toBe("https://web.whatsapp.com");
    expect((await server.waitFor("whatsapp.disconnected")).code).toBe(428);
    const wa = (await (await fetch(`${server.url}/readyz`)).json()) as { details: { whatsapp: string } };
    expect(wa.details.whatsapp).toMatch(/^(err|starting): /);
    expect(statSync(join(runDir, "data", "whatsapp.db")).mode & 0o777).toBe(0o600);

    // Google's clients inside the binary (loaded from their v1 modules for the bytecode build): a call heard by
    // streaming STT and answered by TTS, both on the gRPC stand-in
    server.proc.kill("SIGTERM");
    await server.exited;
    const env = { DATA_DIR: "./data", SPEECH_EMULATOR_HOST: google.host, TTS_EMULATOR_HOST: google.host, AGENT_LANGUAGE: "en-US", STT_LANGUAGE: "en-US", TTS_VOICE: "en-US-Wavenet-D" };
    server = await spawnServer({ cmd: [join(runDir, "agentlocator")], cwd: runDir, env });
    google.stt.transcripts.push("what are your opening hours");
    const g = new SimulatedCaller({ baseUrl: server.url });
    await g.dial();
    await g.connect();
    await g.waitForQuiet(300, 15_000);
    const greetingFrames = g.frames.length;
    await g.speak(await speech("what are your opening hours"));
    await g.waitUntil(() => g.frames.length > greetingFrames + 20, 15_000, "the reply");
    await g.waitForQuiet(300, 15_000);
    await g.hangup();
    expect(google.streams.some((s) => s.audioBytes > 0 && s.finals.includes("what are your opening hours"))).toBe(true);
    expect(google.ttsRequests.length).toBeGreaterThanOrEqual(2); // the greeting and the reply
  },
  { timeout: 120_000 },
);
