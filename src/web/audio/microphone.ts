/**
 * The caller's side of the test call: the microphone (echo cancellation, noise suppression and gain control on,
 * mono) into the capture worklet, resampled to 8 kHz and μ-law encoded into the frame queue. Failing to get a
 * microphone is an outcome, not an error: the page says why in words and the call goes on with typed turns
 * (silence frames keep the stream alive, as Twilio's do).
 */
import { floatToMulaw, level } from "./codec.ts";
import type { FrameQueue } from "./frame-queue.ts";
import { Resampler } from "./resampler.ts";

export type MicProblem = "denied" | "missing" | "busy" | "insecure" | "unsupported" | "failed";

export type MicResult = { ok: true; mic: Microphone } | { ok: false; problem: MicProblem; detail?: string };

export class Microphone {
  /** The latest level (RMS, 0…1), for the meter. */
  level = 0;
  private resampler: Resampler;

  private constructor(
    private stream: MediaStream,
    private source: MediaStreamAudioSourceNode,
    private node: AudioWorkletNode,
    queue: FrameQueue,
    rate: number,
  ) {
    this.resampler = new Resampler(rate, 8000);
    node.port.onmessage = (e) => {
      const block = e.data as Float32Array;
      this.level = level(block);
      queue.push(floatToMulaw(this.resampler.push(block)));
    };
  }

  /** Asks for the microphone and starts feeding `queue`; the context must have the worklet module loaded. */
  static async open(ctx: AudioContext, queue: FrameQueue): Promise<MicResult> {
    if (!window.isSecureContext) return { ok: false, problem: "insecure" };
    if (!navigator.mediaDevices?.getUserMedia) return { ok: false, problem: "unsupported" };
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 } });
    } catch (err) {
      const name = err instanceof DOMException ? err.name : "";
      const problem: MicProblem =
        name === "NotAllowedError" || name === "SecurityError" ? "denied" : name === "NotFoundError" || name === "OverconstrainedError" ? "missing" : name === "NotReadableError" || name === "AbortError" ? "busy" : "failed";
      return { ok: false, problem, detail: err instanceof Error ? err.message : String(err) };
    }
    const source = ctx.createMediaStreamSource(stream);
    // no outputs: the node is pulled by the graph without being heard (the caller must not hear themselves)
    const node = new AudioWorkletNode(ctx, "capture", { numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1, channelCountMode: "explicit" });
    source.connect(node);
    return { ok: true, mic: new Microphone(stream, source, node, queue, ctx.sampleRate) };
  }

  get muted(): boolean {
    return this.stream.getAudioTracks().every((t) => !t.enabled);
  }

  setMuted(muted: boolean): void {
    for (const t of this.stream.getAudioTracks()) t.enabled = !muted;
  }

  close(): void {
    this.source.disconnect();
    this.node.port.onmessage = null;
    this.node.disconnect();
    for (const t of this.stream.getTracks()) t.stop();
  }
}
