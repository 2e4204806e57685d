/**
 * Plays the agent's replies: each sentence's TTS starts as soon as the dialog produces the sentence, so the first
 * sentence plays while later ones are still being written and synthesized; audio goes to the pacer in order with a
 * mark after each sentence. A reply is finished when every sentence is queued and the last mark has come back.
 * One reply at a time; `interrupt` stops it at once (abort + clear).
 */
import { toFrames } from "../audio/mulaw.ts";
import type { DialogOutput } from "../dialog/conversation.ts";
import { EV, type Logger } from "../log.ts";
import type { TtsProvider } from "../providers/tts.ts";
import { Pacer } from "./pacer.ts";
import { Reply } from "./reply.ts";

export interface ReplyPlayerHooks {
  frame(frame: Uint8Array): void;
  mark(name: string): void;
  clear(): void;
  /** The first frame of `reply` went out. */
  started(reply: Reply): void;
  /** `reply` played to the end. */
  finished(reply: Reply): void;
  event(name: string, value?: number, data?: Record<string, unknown>): void;
  log: Logger;
}

export class ReplyPlayer {
  current?: Reply;
  private generation = 0;
  private pacer: Pacer;

  constructor(private hooks: ReplyPlayerHooks) {
    this.pacer = new Pacer({
      frame: (f) => {
        hooks.frame(f);
        const reply = this.current;
        if (!reply) return;
        reply.framesSent++;
        if (reply.firstFrameWall === undefined) {
          reply.firstFrameWall = performance.now();
          hooks.started(reply);
        }
      },
      mark: (name) => hooks.mark(name),
      clear: () => hooks.clear(),
    });
  }

  /**
   * Starts a reply from dialog outputs made with the reply's abort signal. A `held` reply is generated and
   * synthesized but not sent until `release` (a speculative answer while the caller may still go on).
   */
  play(outputs: (signal: AbortSignal) => AsyncIterable<DialogOutput>, tts: TtsProvider, lastVoicedWall?: number, held = false): Reply {
    const reply = new Reply(++this.generation, lastVoicedWall);
    reply.held = held;
    this.current = reply;
    void this.run(reply, outputs(reply.abort.signal), tts);
    return reply;
  }

  /** Sends a held reply: what is ready now, the rest as it comes. */
  release(reply: Reply): void {
    if (this.current !== reply || !reply.held) return;
    reply.held = false;
    for (const a of reply.heldAudio.splice(0)) this.pacer.push(a.frames, a.mark, a.continuing);
  }

  /** An echoed mark from Twilio. */
  mark(name: string): void {
    const reply = this.current;
    if (reply?.echo(name) && reply.finished) this.finish(reply);
  }

  /** Stops the current reply at once and has Twilio drop what it buffered. */
  interrupt(): Reply | undefined {
    const reply = this.abandon();
    if (reply) this.pacer.clear();
    return reply;
  }

  /** Stops the current reply; nothing was sent yet, so no `clear` is needed. `reason` goes to the abort signal. */
  abandon(reason?: string): Reply | undefined {
    const reply = this.current;
    if (!reply) return undefined;
    reply.abort.abort(reason);
    this.current = undefined;
    this.pacer.stop();
    return reply;
  }

  /** Mid-reply playback gaps so far (ms each): audio that came later than the previous sentence ended. */
  get gaps(): readonly number[] {
    return this.pacer.gaps;
  }

  stop(): void {
    this.current?.abort.abort();
    this.current = undefined;
    this.pacer.stop();
  }

  private async run(reply: Reply, outputs: AsyncIterable<DialogOutput>, tts: TtsProvider): Promise<void> {
    const signal = reply.abort.signal;
    const pending: Array<{ text: string; audio: Promise<Uint8Array>; asked: number }> = [];
    let wake: (() => void) | undefined;
    let producing = true;
    const produce = (async () => {
      try {
        for await (const out of outputs) {
          if (signal.aborted) return;
          if (out.type === "action") reply.action = out.action;
          else {
            const audio = tts.synthesize(out.text, signal);
            audio.catch(() => {}); // awaited below; an abort must not surface as unhandled
            pending.push({ text: out.text, audio, asked: performance.now() });
            wake?.();
          }
        }
      } finally {
        producing = false;
        wake?.();
      }
    })();
    try {
      while (!signal.aborted) {
        const next = pending.shift();
        if (!next) {
          if (!producing) break;
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        let audio: Uint8Array;
        try {
          audio = await next.audio;
        } catch (err) {
          if (signal.aborted) break;
          this.hooks.log.error(EV.TTS_FAILED, { err, text: next.text });
          continue; // a sentence lost, not the call
        }
        if (signal.aborted) break;
        const markName = reply.add(next.text, audio);
        const s = reply.sentences.at(-1)!;
        this.hooks.event(EV.TTS_LEN_MS, Math.round(s.endMs - s.startMs), { synthMs: Math.round(performance.now() - next.asked) });
        const queued = { frames: toFrames(audio), mark: markName, continuing: reply.sentences.length > 1 };
        if (reply.held) reply.heldAudio.push(queued);
        else this.pacer.push(queued.frames, queued.mark, queued.continuing);
      }
      await produce;
    } catch (err) {
      if (!signal.aborted) this.hooks.log.error(EV.CALL_REPLY_FAILED, { err });
    }
    if (signal.aborted || this.current !== reply) return;
    reply.allQueued = true;
    if (reply.finished) this.finish(reply);
  }

  private finish(reply: Reply): void {
    if (this.current !== reply) return;
    this.current = undefined;
    this.hooks.finished(reply);
  }
}
