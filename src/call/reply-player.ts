/**
 * Plays the agent's replies, one at a time: each sentence's TTS starts as soon as the dialog produces it, so the
 * first sentence plays while later ones are still being written and synthesized; audio goes to the pacer in order
 * with a mark after each sentence. A reply ends one of two ways, and both settle it the same way — its dialog turn
 * learns what the caller heard (`heard`) or that nothing was (`forget`), and `settled` reports it once:
 * - it played to the end (everything queued, the last mark echoed);
 * - `stop(reason)`, the one way to stop a reply: abort its dialog and TTS, `clear` Twilio's buffer if anything was
 *   sent, and take what was heard from the echoed marks and the clock.
 */
import { toFrames } from "../audio/mulaw.ts";
import type { Clock } from "../clock.ts";
import type { DialogOutput, DialogTurn } from "../dialog/conversation.ts";
import { EV, type Logger } from "../log.ts";
import type { TtsProvider } from "../providers/tts.ts";
import { Pacer, type PacerSink } from "./pacer.ts";
import { Reply, type ReplyKind } from "./reply.ts";

export type StopReason = "barge-in" | "superseded" | "dropped" | "hangup" | "ended";

export interface ReplyOutcome {
  reply: Reply;
  /** Played to the end, rather than stopped. */
  complete: boolean;
  reason?: StopReason;
  heardMs: number;
  /** What the caller heard, holding lines included (for the transcript). */
  heardText: string;
}

export interface ReplyPlayerHooks {
  sink: PacerSink;
  clock: Clock;
  /** The first frame of `reply` went out. */
  started(reply: Reply): void;
  /** `reply` is over (played to the end or stopped); called exactly once per reply. */
  settled(outcome: ReplyOutcome): void;
  event(name: string, value?: number, data?: Record<string, unknown>): void;
  log: Logger;
}

export interface PlayOptions {
  kind: ReplyKind;
  /** Clock time of the caller's last voiced frame, when the reply answers an utterance. */
  lastVoicedAt?: number;
  /** Generate and synthesize, but send nothing until `release` (a speculative answer). */
  held?: boolean;
}

export class ReplyPlayer {
  current?: Reply;
  private generation = 0;
  private pacer: Pacer;

  constructor(private hooks: ReplyPlayerHooks) {
    this.pacer = new Pacer(
      {
        frame: (f) => {
          hooks.sink.frame(f);
          const reply = this.current;
          if (!reply) return;
          reply.framesSent++;
          if (reply.firstFrameAt === undefined) {
            reply.firstFrameAt = hooks.clock.now();
            hooks.started(reply);
          }
        },
        mark: (name) => hooks.sink.mark(name),
        clear: () => hooks.sink.clear(),
      },
      { clock: hooks.clock },
    );
  }

  /**
   * Starts a reply. One reply at a time: a reply still playing is stopped first ("superseded"), and only then is
   * the next turn made, so the dialog has settled the old turn before it writes the new one.
   */
  play(makeTurn: () => DialogTurn, tts: TtsProvider, o: PlayOptions): Reply {
    this.stop("superseded");
    const reply = new Reply(++this.generation, makeTurn(), o.kind, o.lastVoicedAt);
    reply.voice = tts;
    reply.held = o.held ?? false;
    // a held turn is the caller's only if released: what cannot be undone waits for that
    if (reply.held) reply.turn.hold?.();
    this.current = reply;
    void this.run(reply, tts);
    return reply;
  }

  /** Sends a held reply: what is ready now, the rest as it comes. */
  release(reply: Reply): void {
    if (this.current !== reply || !reply.held) return;
    reply.held = false;
    reply.turn.release?.();
    for (const a of reply.heldAudio.splice(0)) this.pacer.push(a.frames, a.mark, a.continuing);
    if (reply.finished) this.finish(reply);
  }

  /** An echoed mark from Twilio. */
  mark(name: string): void {
    const reply = this.current;
    if (reply?.echo(name) && reply.finished) this.finish(reply);
  }

  /** The one way to stop the current reply: abort it, drop what Twilio buffered, settle what was heard. */
  stop(reason: StopReason): ReplyOutcome | undefined {
    const reply = this.current;
    if (!reply) return undefined;
    this.current = undefined;
    reply.abort.abort();
    if (reply.firstFrameAt !== undefined) this.pacer.clear();
    else this.pacer.stop();
    return this.settle(reply, false, reply.heardMs(this.hooks.clock.now()), reason);
  }

  /**
   * A holding line, said before the current reply's first sentence because that sentence is late (again, when it
   * is still late after one). It is heard (and kept in the transcript) but is not part of the answer the dialog
   * remembers.
   */
  async interject(text: string, tts: TtsProvider): Promise<boolean> {
    const reply = this.current;
    if (!reply || reply.held || answered(reply)) return false;
    let audio: Uint8Array;
    try {
      audio = await tts.synthesize(text, reply.abort.signal);
    } catch (err) {
      if (!reply.abort.signal.aborted) this.hooks.log.error(EV.TTS_FAILED, { err, text });
      return false;
    }
    // the answer itself may have started meanwhile
    if (this.current !== reply || answered(reply)) return false;
    this.pacer.push(toFrames(audio), reply.add(text, audio, true, undefined, this.hooks.clock.now()), false);
    return true;
  }

  /** Mid-reply playback gaps so far (ms each): audio that came later than the previous sentence ended. */
  get gaps(): readonly number[] {
    return this.pacer.gaps;
  }

  private async run(reply: Reply, tts: TtsProvider): Promise<void> {
    const signal = reply.abort.signal;
    const clock = this.hooks.clock;
    const pending: Array<{ text: string; audio: Promise<Uint8Array>; asked: number; index: number }> = [];
    let wake: (() => void) | undefined;
    let producing = true;
    const produce = (async () => {
      try {
        for await (const out of reply.turn.outputs(signal) as AsyncIterable<DialogOutput>) {
          if (signal.aborted) return;
          if (out.type === "action") reply.action = out.action;
          else {
            const audio = tts.synthesize(out.text, signal);
            audio.catch(() => {}); // awaited below; an abort must not surface as unhandled
            pending.push({ text: out.text, audio, asked: clock.now(), index: reply.produced.push(out.text) - 1 });
            wake?.();
          }
        }
      } finally {
        producing = false;
        reply.dialogDone = true;
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
          reply.failedSentences++;
          this.hooks.log.error(EV.TTS_FAILED, { err, text: next.text });
          continue; // a sentence lost, not the call
        }
        if (signal.aborted) break;
        const previous = reply.sentences.at(-1);
        const markName = reply.add(next.text, audio, false, next.index, reply.held ? undefined : clock.now());
        const s = reply.sentences.at(-1)!;
        this.hooks.event(EV.TTS_LEN_MS, Math.round(s.endMs - s.startMs), { synthMs: Math.round(clock.now() - next.asked) });
        const queued = { frames: toFrames(audio), mark: markName, continuing: previous !== undefined && !previous.filler };
        if (reply.held) reply.heldAudio.push(queued);
        else this.pacer.push(queued.frames, queued.mark, queued.continuing);
      }
      await produce;
    } catch (err) {
      if (!signal.aborted) this.hooks.log.error(EV.CALL_REPLY_FAILED, { err });
    }
    if (signal.aborted || this.current !== reply) return;
    reply.allQueued = true;
    if (reply.finished && !reply.held) this.finish(reply);
  }

  private finish(reply: Reply): void {
    if (this.current !== reply) return;
    this.current = undefined;
    this.settle(reply, true, reply.queuedMs);
  }

  private settle(reply: Reply, complete: boolean, heardMs: number, reason?: StopReason): ReplyOutcome {
    const answer = reply.heardText(heardMs, true);
    if (answer) reply.turn.heard(answer);
    else reply.turn.forget();
    const outcome: ReplyOutcome = { reply, complete, reason, heardMs: Math.round(heardMs), heardText: reply.heardText(heardMs) };
    this.hooks.settled(outcome);
    return outcome;
  }
}

/** Some of the reply's own answer (not a holding line) has been queued. */
const answered = (reply: Reply): boolean => reply.sentences.some((s) => !s.filler);
