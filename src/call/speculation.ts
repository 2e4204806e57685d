/**
 * Speculative answers: with a model, the answer starts on the final transcript instead of after the silence window.
 * Its audio is held (ReplyPlayer `held`) until end of utterance confirms the same text, and dropped as UNHEARD —
 * forgotten by the dialog — if the caller goes on. This takes the model's first-token time off the critical path.
 */
import { UNHEARD, type Conversation } from "../dialog/conversation.ts";
import type { TtsProvider } from "../providers/tts.ts";
import type { Reply } from "./reply.ts";
import type { ReplyPlayer } from "./reply-player.ts";

export class Speculation {
  private pending?: { text: string; reply: Reply };

  constructor(
    private player: ReplyPlayer,
    private conversation: Conversation,
    private tts: TtsProvider,
  ) {}

  /** The utterance so far has a final transcript: start answering it, unless a reply is already under way. */
  start(text: string, lastVoicedWall: number): boolean {
    if (this.conversation.mode !== "llm" || this.pending?.text === text) return false;
    if (this.player.current && this.player.current !== this.pending?.reply) return false;
    this.cancel();
    const reply = this.player.play((signal) => this.conversation.respond(text, signal), this.tts, lastVoicedWall, true);
    this.pending = { text, reply };
    return true;
  }

  /** The caller went on speaking: the held answer is dropped. */
  cancel(): void {
    const spec = this.pending;
    this.pending = undefined;
    if (spec && this.player.current === spec.reply) this.player.abandon(UNHEARD);
  }

  /** End of utterance: plays the held answer if it answers exactly `text` (true), else drops it (false). */
  take(text: string): boolean {
    const spec = this.pending;
    this.pending = undefined;
    if (spec && spec.text === text && this.player.current === spec.reply) {
      this.player.release(spec.reply);
      return true;
    }
    if (spec && this.player.current === spec.reply) this.player.abandon(UNHEARD);
    return false;
  }
}
