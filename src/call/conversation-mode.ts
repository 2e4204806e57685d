/**
 * The call's conversation mode: the recognizer's transcripts and the VAD's frames go to the turn-taker; each
 * utterance is answered by the dialog (speculatively when a model is there); caller speech over the agent stops
 * the reply — unless that speech brings no words (a noise), when the agent resumes what it was saying; the watchdog
 * makes sure every utterance — and the greeting — gets audio the caller hears.
 */
import { fixedTurn, type Conversation } from "../dialog/conversation.ts";
import { EV, type Logger } from "../log.ts";
import type { ProviderError } from "../providers/errors.ts";
import type { SttSession } from "../providers/stt.ts";
import type { CallEnv } from "./env.ts";
import type { Reply } from "./reply.ts";
import type { ReplyOutcome, ReplyPlayer } from "./reply-player.ts";
import { Speculation } from "./speculation.ts";
import { TurnTaker, type TurnState, type Utterance } from "./turn-taker.ts";
import { Watchdog } from "./watchdog.ts";

export interface ConversationModeDeps {
  env: CallEnv;
  conversation: Conversation;
  callSid: string;
  player: ReplyPlayer;
  log: Logger;
  event(name: string, value?: number, data?: Record<string, unknown>): void;
  /** Clock time of the caller's last voiced frame. */
  lastVoicedAt(): number;
  /** What the echo guard knows of the line (for the barge-in event). */
  echo(): { echoDelayMs?: number; echoRatio: number };
  /** The recognizer failed for good: the call becomes a voicemail. */
  recognizerFailed(error: ProviderError): void;
}

/** What the watchdog waits for: the greeting, an answer, or (after a holding line) the answer's own audio. */
type Awaited = { kind: "greeting" } | { kind: "answer"; text: string } | { kind: "stalled"; generation: number; checks: number };

/**
 * How often a late answer whose dialog is still working (a tool, another model round) is waited for after the
 * holding line: the first check waits quietly, each later one says the holding line again; then it is given up.
 */
const STALLED_CHECKS = 2;

export class ConversationMode {
  readonly turns: TurnTaker;
  private stt?: SttSession;
  private speculation: Speculation;
  private watchdog: Watchdog<Awaited>;
  /** The utterance being answered (carried into the next one if the caller keeps talking before any reply). */
  private answering = "";
  /** The reply the latest barge-in cut, until that barge-in brings words (or turns out to be a noise). */
  private cut?: ReplyOutcome;
  /** The greeting was late once and the offline voice was asked to say it: it is not asked again. */
  private greetingRetried = false;

  constructor(private d: ConversationModeDeps) {
    const { env } = d;
    this.turns = new TurnTaker({
      eouSilenceMs: env.timing.eouSilenceMs,
      bargeInMs: env.timing.bargeInMs,
      onUtterance: (u) => this.onUtterance(u),
      onBargeIn: (b) => this.onBargeIn(b.state, b.speechMs),
      onFalseBargeIn: (b) => this.onFalseBargeIn(b.state, b.carried),
      onSpeech: () => this.speculation.cancel(),
    });
    this.speculation = new Speculation(d.player, d.conversation, env.providers.voices.reply);
    this.watchdog = new Watchdog<Awaited>(env.clock, (what, waited) => this.onLate(what, waited));
  }

  /** Opens the recognizer and says the greeting. */
  start(): void {
    const { env, log } = this.d;
    const p = env.providers;
    this.stt = p.stt!.open({
      language: p.sttLanguage,
      phraseHints: p.phraseHints,
      onResult: (r) => {
        log.info(r.isFinal ? EV.STT_FINAL : EV.STT_PARTIAL, { text: r.text, value: r.endMs });
        if (r.isFinal) env.observer.event(this.d.callSid, EV.STT_FINAL, r.endMs, { text: r.text });
        this.turns.transcript(r);
        const pending = r.isFinal ? this.turns.pendingText() : undefined;
        if (pending && this.speculation.start(pending, this.d.lastVoicedAt())) log.debug(EV.REPLY_SPECULATIVE, { text: pending });
      },
      onError: (e) => this.d.recognizerFailed(e),
      onRestart: (reason) => this.d.event(EV.STT_RESTART, undefined, { reason }),
    });
    this.greet(p.voices.prompt);
  }

  private greet(voice: CallEnv["providers"]["voices"]["prompt"]): void {
    this.turns.speakUnprompted();
    this.watchdog.arm({ kind: "greeting" }, this.d.env.timing.greetingWithinMs);
    this.d.player.play(() => this.d.conversation.greeting(), voice, { kind: "greeting" });
  }

  /** Audio for the recognizer (every inbound frame, also while the agent speaks). */
  write(frame: Uint8Array): void {
    this.stt?.write(frame);
  }

  frame(voiced: boolean): void {
    this.turns.frame(voiced);
  }

  /** A complete utterance given as text; answered like one the recognizer heard. */
  typed(text: string): void {
    this.d.event(EV.CALL_TYPED, text.length);
    this.turns.complete(text);
  }

  /** DTMF 0: to a person, when the call can be transferred. */
  dtmf(digit: string): void {
    if (digit !== "0" || !this.d.env.telephony.canTransfer) return;
    this.turns.speakUnprompted();
    this.d.player.play(() => fixedTurn([this.d.env.dialog.lines.transferring], "transfer"), this.d.env.providers.voices.prompt, { kind: "prompt" });
  }

  /** The first frame of a reply went out. */
  started(_reply: Reply): void {
    this.turns.replyStarted();
    const waiting = this.watchdog.waiting?.kind;
    if (waiting === "greeting" || waiting === "answer") this.watchdog.disarm();
  }

  /** A reply is over. */
  settled(o: ReplyOutcome): void {
    if (!o.complete) return; // stopped: whoever stopped it has already moved the turn on
    if (o.reply.kind === "answer" && !o.reply.sentences.some((s) => !s.filler)) {
      // every sentence failed (a holding line said while waiting is no answer): the caller still hears that the
      // agent could not answer; a holding line means the watchdog has already kept the turn as unanswered
      this.watchdog.disarm();
      if (!o.reply.sentences.length) this.unanswered({ kind: "answer", text: this.answering }, 0, "nothing could be played");
      return this.say(this.d.env.dialog.lines.notAnswered);
    }
    this.turns.replyDone();
  }

  stop(): void {
    this.watchdog.disarm();
    this.stt?.close();
    this.stt = undefined;
  }

  private onUtterance(u: Utterance) {
    const { env, callSid } = this.d;
    this.cut = undefined;
    // carried words alone (the speech after them was a noise) were recorded when the caller said them
    if (u.newText) {
      this.d.event(EV.EOU_MS, u.silenceMs, { fromInterim: u.fromInterim });
      env.observer.turn(callSid, { role: "caller", text: u.newText, at: env.clock.date() });
    }
    this.answering = u.text;
    this.watchdog.arm({ kind: "answer", text: u.text }, env.timing.firstTokenMs + env.timing.answerGraceMs);
    if (this.speculation.take(u.text)) return;
    this.d.player.play(() => this.d.conversation.respond(u.text), env.providers.voices.reply, { kind: "answer", lastVoicedAt: this.d.lastVoicedAt() });
  }

  private onBargeIn(state: TurnState, speechMs: number) {
    const reply = this.d.player.current;
    const intoReplyMs = reply?.firstFrameAt === undefined ? undefined : Math.round(this.d.env.clock.now() - reply.firstFrameAt);
    this.d.event(EV.BARGE_IN, speechMs, { state, intoReplyMs, ...this.d.echo() });
    this.watchdog.disarm();
    this.cut = undefined;
    if (!reply) return;
    const nothingSaid = reply.firstFrameAt === undefined;
    const cut = this.d.player.stop("barge-in");
    // nothing was said yet: the caller simply kept talking; both parts are answered together
    if (state === "thinking" && nothingSaid) this.turns.carryOver(this.answering);
    else this.cut = cut;
  }

  /**
   * The barge-in's speech brought no words (a cough, a door, a word the recognizer made nothing of): the agent goes
   * on — the greeting from its start (the caller must hear whom they called), a reply from the sentence cut off.
   * Words carried over are answered instead (the turn-taker ends the utterance with them, re-arming the watchdog).
   */
  private onFalseBargeIn(state: TurnState, carried: boolean) {
    const cut = this.cut;
    this.cut = undefined;
    if (carried || !cut) return this.d.event(EV.BARGE_IN_FALSE, undefined, { state, resumed: carried ? "carried" : "nothing" });
    const { reply, heardMs } = cut;
    this.d.event(EV.BARGE_IN_FALSE, undefined, { state, resumed: reply.resumes ?? reply.kind });
    if (reply.kind === "greeting") return this.greet(this.d.env.providers.voices.prompt);
    const again = reply.unheard(heardMs);
    // an answer is the dialog's (what is heard of it enters the history); a fixed line is not
    const answer = (reply.resumes ?? reply.kind) === "answer";
    // the noise cut a holding line before any of the answer was made: the caller's words are carried, and so
    // answered again (the turn-taker ends the utterance with them, under the watchdog)
    if (answer && !again.length && !reply.action && !reply.heardText(heardMs, true)) return this.turns.carryOver(this.answering);
    if (!again.length && !reply.action) return;
    this.turns.speakUnprompted();
    const turn = () => (answer ? this.d.conversation.again(again, reply.action) : fixedTurn(again, reply.action));
    const resumed = this.d.player.play(turn, reply.voice ?? this.d.env.providers.voices.reply, { kind: "resumed" });
    resumed.resumes = reply.resumes ?? reply.kind;
  }

  private onLate(what: Awaited, waitedMs: number) {
    const { player, env } = this.d;
    const current = player.current;
    if (what.kind === "greeting") {
      if (this.greetingRetried) {
        // the offline voice hangs too: no more tries (kept once, above); the call goes on listening
        player.stop("dropped");
        return this.turns.replyDone();
      }
      this.greetingRetried = true;
      this.unanswered(what, waitedMs, "no greeting audio");
      return this.greet(env.providers.voices.rescue);
    }
    if (what.kind === "answer") {
      this.unanswered(what, waitedMs, "no answer audio");
      if (!current) return this.say(env.dialog.lines.notAnswered);
      void player.interject(env.dialog.lines.holding, env.providers.voices.rescue);
      // the holding line bought time; if the answer still has nothing to play by then, see why
      this.watchdog.arm({ kind: "stalled", generation: current.generation, checks: 0 }, env.timing.answerGraceMs);
      return;
    }
    if (current?.generation !== what.generation || current.sentences.some((s) => !s.filler)) return;
    if (!current.dialogDone && what.checks < STALLED_CHECKS) {
      // the dialog is still working — tools (a WhatsApp send waits up to 5 s) and another model round: the answer
      // is coming, and abandoning it would leave the caller with "could not answer" after it was done
      if (what.checks > 0) void player.interject(env.dialog.lines.holding, env.providers.voices.rescue);
      this.watchdog.arm({ ...what, checks: what.checks + 1 }, env.timing.firstTokenMs + env.timing.answerGraceMs);
      return;
    }
    // its speech cannot be made, or the dialog has taken far too long: the caller hears it could not answer
    this.say(env.dialog.lines.notAnswered);
  }

  private unanswered(what: Awaited, waitedMs: number, reason: string) {
    this.d.event(EV.TURN_UNANSWERED, waitedMs, { kind: what.kind, reason, ...(what.kind === "answer" ? { text: what.text } : {}) });
  }

  /** A line in the offline voice, which does not wait on the network. */
  private say(text: string) {
    this.d.player.play(() => fixedTurn([text]), this.d.env.providers.voices.rescue, { kind: "prompt" });
  }
}
