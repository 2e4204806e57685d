/**
 * The vendors at the edge of a call, scripted on the virtual clock: a recognizer that hears when the caller speaks,
 * a TTS that answers tones (and can fail or hang), a chat model that answers scripted turns.
 */
import { decode, encode, FRAME_MS, MULAW_SILENCE } from "../../src/audio/mulaw.ts";
import { rms } from "../../src/audio/vad.ts";
import { sleep, type Clock } from "../../src/clock.ts";
import type { VoiceTts } from "../../src/compose/providers.ts";
import { ProviderError } from "../../src/providers/errors.ts";
import type { ChatMessage, LlmChunk, LlmProvider, ToolSpec } from "../../src/providers/llm.ts";
import type { SttOptions, SttProvider, SttSession } from "../../src/providers/stt.ts";

/** The recognizer: like Google, it hears when the caller speaks and answers each utterance with the next script line. */
export class ScriptedStt implements SttProvider {
  readonly name = "scripted-stt";
  transcripts: string[] = [];
  finalAfterSilenceMs = 250;
  duplicateFinals = false;
  sessions: Array<{ options: SttOptions; fail(error: ProviderError): void; restart(reason: string): void; closed: boolean }> = [];

  constructor(private clock: Clock) {}

  open(o: SttOptions): SttSession {
    let audioMs = 0;
    let speechMs = 0;
    let silenceMs = 0;
    let inSpeech = false;
    let lastInterimAt = 0;
    let failed = false;
    const deliver = (text: string, isFinal: boolean) => {
      const endMs = audioMs;
      this.clock.setTimer(() => !failed && !record.closed && o.onResult({ text, isFinal, stability: isFinal ? 0 : 0.8, endMs }), 0);
    };
    const record = {
      options: o,
      closed: false,
      fail: (error: ProviderError) => {
        failed = true;
        o.onError(error);
      },
      restart: (reason: string) => o.onRestart?.(reason),
    };
    this.sessions.push(record);
    return {
      write: (frame) => {
        if (failed || record.closed) return;
        audioMs += FRAME_MS;
        if (rms(decode(frame)) > 300) {
          silenceMs = 0;
          speechMs += FRAME_MS;
          if (speechMs >= 60) inSpeech = true;
          if (inSpeech && audioMs - lastInterimAt >= 200) {
            lastInterimAt = audioMs;
            deliver((this.transcripts[0] ?? "(unscripted)").split(" ")[0]!, false);
          }
        } else {
          speechMs = 0;
          silenceMs += FRAME_MS;
          if (inSpeech && silenceMs >= this.finalAfterSilenceMs) {
            inSpeech = false;
            const text = this.transcripts.shift() ?? "(unscripted)";
            deliver(text, true);
            if (this.duplicateFinals) deliver(text, true);
          }
        }
      },
      close: () => {
        record.closed = true;
      },
    };
  }
}

/** Text to speech: a tone of `msPerChar` per character after `delayMs`; can fail or hang, for all or some texts. */
export class ScriptedTts implements VoiceTts {
  delayMs = 0;
  msPerChar = 60;
  fail: (text: string, voice: string) => boolean = () => false;
  hang: (text: string, voice: string) => boolean = () => false;
  readonly requests: Array<{ text: string; voice: string }> = [];

  constructor(
    readonly name: string,
    private clock: Clock,
    readonly voice = "default",
    private root?: ScriptedTts,
  ) {}

  withVoice(voice: string): ScriptedTts {
    return new ScriptedTts(this.name, this.clock, voice, this.root ?? this);
  }

  async synthesize(text: string, signal?: AbortSignal): Promise<Uint8Array> {
    const root = this.root ?? this;
    root.requests.push({ text, voice: this.voice });
    if (root.hang(text, this.voice)) await new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason), { once: true }));
    if (root.delayMs) await sleep(this.clock, root.delayMs, signal);
    if (root.fail(text, this.voice)) throw new ProviderError(this.name, "unavailable", true, "scripted failure");
    return toneMs(Math.max(300, text.length * root.msPerChar), 440, 6000);
  }
}

export interface ModelTurn {
  firstTokenMs?: number;
  tokens?: string[];
  tokenMs?: number;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> | string }>;
  /** Fail with this kind of error after firstTokenMs. */
  error?: "unavailable" | "auth";
  /** Never answer (until aborted). */
  hang?: boolean;
}

/** A chat model answering scripted turns, on the virtual clock. */
export class ScriptedLlm implements LlmProvider {
  readonly name = "scripted-llm";
  readonly turns: ModelTurn[] = [];
  fallback: ModelTurn = { tokens: ["Okay."] };
  readonly requests: Array<{ messages: ChatMessage[]; tools?: ToolSpec[] }> = [];

  constructor(private clock: Clock) {}

  async *stream(request: { messages: ChatMessage[]; tools?: ToolSpec[] }, signal: AbortSignal): AsyncIterable<LlmChunk> {
    this.requests.push({ messages: structuredClone(request.messages), tools: request.tools });
    const turn = this.turns.shift() ?? this.fallback;
    if (turn.hang) await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
    if (turn.firstTokenMs) await sleep(this.clock, turn.firstTokenMs, signal);
    if (turn.error) throw new ProviderError("llm", turn.error, turn.error !== "auth", "scripted failure");
    for (const text of turn.tokens ?? []) {
      yield { type: "text", text };
      if (turn.tokenMs) await sleep(this.clock, turn.tokenMs, signal);
    }
    if (turn.toolCalls?.length)
      yield {
        type: "tool_calls",
        calls: turn.toolCalls.map((c, i) => ({ id: `call_${i}`, type: "function", function: { name: c.name, arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments) } })),
      };
  }
}

/** Speech-like caller audio: 180 ms syllables with 60 ms gaps (a steady tone would become the VAD's noise floor). */
export function talking(ms: number): Uint8Array {
  const out = new Uint8Array(Math.round(ms * 8)).fill(MULAW_SILENCE);
  const syllable = toneMs(180, 220, 5000);
  for (let at = 0; at < out.length; at += 240 * 8) out.set(syllable.subarray(0, Math.min(syllable.length, out.length - at)), at);
  return out;
}

/** A tone as μ-law (what the scripted TTS says and the caller's scripted voice). */
export function toneMs(ms: number, hz: number, amplitude: number): Uint8Array {
  const n = Math.round(ms * 8);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(Math.sin((2 * Math.PI * hz * i) / 8000) * amplitude);
  return encode(pcm);
}
