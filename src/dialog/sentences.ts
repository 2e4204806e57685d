/**
 * Cuts streamed text into sentences as soon as each one is complete, so the first sentence can be synthesized and
 * played while the model is still writing the rest. Long runs without a full stop are cut at a comma.
 */
const END = /([.!?…;:׃]+["'”»)]*)(\s+)|\n+/g;
const LONG = 160;

export class SentenceSplitter {
  private buffer = "";

  /** Adds a delta; returns the sentences it completed. */
  push(delta: string): string[] {
    this.buffer += delta;
    const out: string[] = [];
    let last = 0;
    END.lastIndex = 0;
    for (let m = END.exec(this.buffer); m; m = END.exec(this.buffer)) {
      const end = m.index + (m[1]?.length ?? 0);
      const sentence = this.buffer.slice(last, end).trim();
      if (sentence) out.push(sentence);
      last = m.index + m[0].length;
    }
    this.buffer = this.buffer.slice(last);
    if (this.buffer.length > LONG) {
      const comma = this.buffer.lastIndexOf(", ");
      if (comma > 20) {
        out.push(this.buffer.slice(0, comma + 1).trim());
        this.buffer = this.buffer.slice(comma + 2);
      }
    }
    return out;
  }

  /** Whatever is left at the end of the stream. */
  flush(): string[] {
    const rest = this.buffer.trim();
    this.buffer = "";
    return rest ? [rest] : [];
  }
}

/** Splits a whole text into sentences. */
export function splitSentences(text: string): string[] {
  const s = new SentenceSplitter();
  return [...s.push(text), ...s.flush()];
}
