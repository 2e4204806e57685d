/**
 * The anti-loop rules, applied to one reply as its sentences stream out. They may shorten a reply but never empty
 * it: a sentence is dropped when it repeats a sentence of the same reply, repeats the last sentence the caller
 * heard (the end of the previous turn), or repeats the introduction of the greeting. When every sentence of a reply
 * was dropped, the first of them is said anyway — models do answer the same thing twice ("Could you say that
 * again?"), and a caller hearing nothing hangs up.
 */
import { splitSentences } from "./sentences.ts";

/** Case, punctuation and spacing do not make a sentence different. */
export function sameSentenceKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, "")
    .replace(/\s+/g, " ")
    .trim();
}

export class AntiLoop {
  private intro = new Set<string>();
  private lastHeard = "";

  /** The greeting was heard: its sentences are the agent's introduction, never repeated. */
  introduced(greeting: string): void {
    for (const s of splitSentences(greeting)) this.intro.add(sameSentenceKey(s));
  }

  /** What the caller heard of the latest reply; its last complete sentence may not open the next reply. */
  heard(text: string): void {
    const last = splitSentences(text).at(-1);
    // a sentence cut off mid-way ("We open at…") was not heard as a sentence
    if (last !== undefined) this.lastHeard = last.endsWith("…") ? "" : sameSentenceKey(last);
  }

  /** A filter for one reply. */
  reply(): ReplyFilter {
    return new ReplyFilter(this.intro, this.lastHeard);
  }
}

export class ReplyFilter {
  private said = new Set<string>();
  private dropped?: string;

  constructor(
    private intro: ReadonlySet<string>,
    private lastHeard: string,
  ) {}

  get empty(): boolean {
    return this.said.size === 0;
  }

  /** The sentence to say, or undefined when a rule drops it. */
  pass(sentence: string): string | undefined {
    const key = sameSentenceKey(sentence);
    if (!key) return undefined;
    const repeat = this.said.has(key) || (this.said.size === 0 && key === this.lastHeard) || this.intro.has(key);
    if (repeat) {
      this.dropped ??= sentence;
      return undefined;
    }
    this.said.add(key);
    return sentence;
  }

  /** At the end of the reply: the dropped sentence to say after all when nothing else was said. */
  finish(): string | undefined {
    if (this.said.size || !this.dropped) return undefined;
    this.said.add(sameSentenceKey(this.dropped));
    return this.dropped;
  }
}
