/**
 * The agent's voice in the test call: μ-law 8 kHz → float → the sound card's rate → the player worklet, which
 * plays it gap-free and reports how many samples it has consumed. Marks are echoed when the audio queued before
 * them has been consumed — that is, played — as Twilio does; `clear` drops the queue at once and echoes every
 * pending mark right away (Twilio's behaviour: a mark after a clear means "dropped", not "played").
 */
import { mulawToFloat } from "./codec.ts";
import { Resampler } from "./resampler.ts";

/** The worklet's message port as this module uses it (AudioWorkletNode.port fits). */
export interface PortLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
}

export class AgentPlayback {
  private resampler: Resampler;
  /** Samples (at the output rate) handed to the player, and consumed by it, since the start. */
  private posted = 0;
  private consumed = 0;
  private marks: Array<{ name: string; at: number }> = [];
  /** Audio went into the resampler since its last flush (its last samples are still inside it). */
  private unflushed = false;
  /** ms of the agent's audio played so far. */
  playedMs = 0;

  constructor(
    private port: PortLike,
    private outputRate: number,
    private echo: (mark: string) => void,
    /** Called on every report of the player (≈ every 20 ms, from the audio thread's clock). */
    private onBeat: () => void = () => {},
  ) {
    this.resampler = new Resampler(8000, outputRate);
    port.onmessage = (e) => this.report((e.data as { consumed?: unknown })?.consumed);
  }

  /** True while audio is queued or playing. */
  get speaking(): boolean {
    return this.consumed < this.posted;
  }

  audio(mulaw: Uint8Array): void {
    this.unflushed = true;
    this.post(this.resampler.push(mulawToFloat(mulaw)));
  }

  mark(name: string): void {
    // the end of a segment: let the resampler's last samples out, and let the player start even if short
    if (this.unflushed) {
      this.unflushed = false;
      this.post(this.resampler.flush());
      this.port.postMessage({ type: "flush" });
    }
    if (this.consumed >= this.posted) this.echo(name);
    else this.marks.push({ name, at: this.posted });
  }

  clear(): void {
    this.port.postMessage({ type: "clear" });
    this.resampler.reset();
    this.unflushed = false;
    // the player counts what it drops as consumed; until it says so, nothing queued is "playing" any more
    this.consumed = this.posted;
    for (const m of this.marks.splice(0)) this.echo(m.name);
  }

  private post(samples: Float32Array): void {
    if (!samples.length) return;
    this.posted += samples.length;
    this.port.postMessage(samples, [samples.buffer]);
  }

  private report(consumed: unknown): void {
    this.onBeat();
    if (typeof consumed !== "number" || consumed <= this.consumed) return;
    this.playedMs += ((consumed - this.consumed) * 1000) / this.outputRate;
    this.consumed = consumed;
    while (this.marks.length && this.marks[0]!.at <= consumed) this.echo(this.marks.shift()!.name);
  }
}
