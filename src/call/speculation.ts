/**
 * Speculative answers: with a model, the answer starts on the final transcript instead of after the silence window.
 * Its audio is held (ReplyPlayer `held`) until end of utterance confirms the same text, and stopped — so its
 * dialog turn is forgotten, nothing of it having been heard — if the caller goes on. This takes the model's
 * first-token time off the critical path.
 */
import type { Conversation } from "../dialog/conversation.ts";
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
  start(text: string, lastVoicedAt: number): boolean {
    if (this.conversation.mode !== "llm" || this.pending?.text === text) return false;
    if (this.player.current && this.player.current !== this.pending?.reply) return false;
    this.cancel();
    const reply = this.player.play(() => this.conversation.respond(text), this.tts, { kind: "answer", lastVoicedAt, held: true });
    this.pending = { text, reply };
    return true;
  }

  /** The caller went on speaking: the held answer is dropped. */
  cancel(): void {
    const spec = this.pending;
    this.pending = undefined;
    if (spec && this.player.current === spec.reply) this.player.stop("dropped");
  }

  /** End of utterance: plays the held answer if it answers exactly `text` (true), else drops it (false). */
  take(text: string): boolean {
    const spec = this.pending;
    if (spec?.text === text && this.player.current === spec.reply) {
      this.pending = undefined;
      this.player.release(spec.reply);
      return true;
    }
    this.cancel();
    return false;
  }
}
