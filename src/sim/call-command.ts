/**
 * `agentlocator call <BASE_URL> [--wav FILE | --say TEXT --voice he|en] [--out reply.wav]`: a caller from the
 * command line. Dials like Twilio, speaks the audio in real time (espeak-ng for --say), waits for each reply and
 * reports the greeting time and the reply latency per turn; what the agent said is saved as a WAV.
 */
import { wavToMulaw8k } from "../audio/resample.ts";
import { mulawWav } from "../audio/riff.ts";
import { espeakMulaw } from "../providers/offline/espeak-wasm.ts";
import { SimulatedCaller } from "./caller.ts";

export interface CallCommandOptions {
  baseUrl: string;
  authToken?: string;
  /** Utterances to speak, as 8 kHz μ-law, one per turn. */
  utterances: Uint8Array[];
  out?: string;
  /** How long to wait for audio (ms). */
  timeoutMs?: number;
  print?: (line: string) => void;
}

export interface CallReport {
  callSid: string;
  greetingMs?: number;
  turns: Array<{ turn: number; latencyMs?: number; replyMs: number }>;
  out?: string;
  ok: boolean;
  error?: string;
}

/** Speech for --say, through the same espeak-ng the server ships. */
export async function sayToMulaw(text: string, voice: "he" | "en"): Promise<Uint8Array> {
  return espeakMulaw(text, voice === "he" ? "he" : "en-us");
}

/** A WAV file (PCM 16-bit at any rate, or μ-law 8 kHz) → 8 kHz μ-law. */
export async function wavFileToMulaw(path: string): Promise<Uint8Array> {
  return wavToMulaw8k(new Uint8Array(await Bun.file(path).arrayBuffer()));
}

export async function runCall(o: CallCommandOptions): Promise<CallReport> {
  const print = o.print ?? console.log;
  const timeout = o.timeoutMs ?? 15_000;
  const caller = new SimulatedCaller({ baseUrl: o.baseUrl, authToken: o.authToken });
  const report: CallReport = { callSid: caller.callSid, turns: [], ok: false };
  try {
    await caller.dial();
    await caller.connect();
    print(`calling ${o.baseUrl} as ${caller.callSid} (stream ${caller.protocol || "no subprotocol"})`);
    await caller.waitUntil(() => caller.frames.length > 0, timeout, "the greeting");
    report.greetingMs = Math.round(caller.frames[0]!.at - caller.startedAt);
    print(`greeting      first audio after ${report.greetingMs} ms`);
    await caller.waitForQuiet(500, timeout * 4);
    for (const [i, audio] of o.utterances.entries()) {
      const before = caller.frames.length;
      await caller.speak(audio);
      await caller.waitUntil(() => caller.frames.length > before || caller.closeCode !== undefined, timeout, `reply ${i + 1}`);
      const latencyMs = caller.frames.length > before ? Math.round(caller.frames[before]!.at - caller.lastVoicedSentAt) : undefined;
      await caller.waitForQuiet(600, timeout * 4).catch(() => {});
      const replyMs = (caller.frames.length - before) * 20;
      report.turns.push({ turn: i + 1, latencyMs, replyMs });
      print(`turn ${String(i + 1).padEnd(8)} reply after ${latencyMs ?? "-"} ms, ${replyMs} ms of audio`);
    }
    report.ok = true;
  } catch (err) {
    report.error = err instanceof Error ? err.message : String(err);
    print(`failed: ${report.error}`);
  } finally {
    await caller.hangup().catch(() => {});
  }
  if (o.out) {
    const audio = Buffer.concat(caller.frames.map((f) => f.payload));
    await Bun.write(o.out, mulawWav(audio));
    report.out = o.out;
    print(`saved         ${o.out} (${(audio.length / 8000).toFixed(1)} s of what the agent said)`);
  }
  return report;
}
