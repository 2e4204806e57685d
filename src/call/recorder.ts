/**
 * Records a call as a stereo WAV (left: caller, right: agent; 16-bit PCM, 8 kHz) into DATA_DIR/recordings,
 * written as the call goes so memory stays flat. The caller's frames set the clock (Twilio sends one every 20 ms,
 * silence included); each agent frame is laid beside the caller frame that arrives after it was sent, and a
 * `clear` drops the agent audio Twilio dropped. The header's sizes are rewritten after every flush (~1 s of audio)
 * and when the call ends, so a recording cut short by a crash (SIGKILL, power loss) is still a valid WAV whose
 * sizes match what reached the disk.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { decodeSample, FRAME_BYTES } from "../audio/mulaw.ts";
import { wavHeader } from "../audio/riff.ts";

const FLUSH_BYTES = 32 * 1024;
const HEADER_BYTES = 44;

export class CallRecorder {
  readonly path: string;
  private fd: number;
  private agent: Uint8Array[] = [];
  private buffer: Uint8Array;
  private used = 0;
  private dataBytes = 0;
  private closed = false;

  constructor(dir: string, callSid: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${callSid.replace(/[^\w-]/g, "_")}.wav`);
    this.fd = openSync(this.path, "w");
    writeSync(this.fd, wavHeader({ format: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16, dataBytes: 0 }));
    this.buffer = new Uint8Array(FLUSH_BYTES + FRAME_BYTES * 4);
  }

  /** An agent frame just sent to Twilio. Bounded: at most ~10 s may wait for caller frames. */
  agentFrame(frame: Uint8Array): void {
    if (this.agent.length < 500) this.agent.push(frame);
  }

  /** Twilio dropped the agent audio it had buffered. */
  agentCleared(): void {
    this.agent = [];
  }

  /** A caller frame: writes 20 ms of both channels. */
  callerFrame(frame: Uint8Array): void {
    if (this.closed) return;
    const agent = this.agent.shift();
    const view = new DataView(this.buffer.buffer);
    for (let i = 0; i < frame.length; i++) {
      view.setInt16(this.used, decodeSample(frame[i]!), true);
      view.setInt16(this.used + 2, agent ? decodeSample(agent[i] ?? 0xff) : 0, true);
      this.used += 4;
    }
    if (this.used >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (!this.used) return;
    // positional writes: the data goes after what is there, the header patch never moves it
    writeSync(this.fd, this.buffer, 0, this.used, HEADER_BYTES + this.dataBytes);
    this.dataBytes += this.used;
    this.used = 0;
    this.writeHeader();
  }

  /** The RIFF and data sizes for the audio written so far (two 4-byte fields; the rest never changes). */
  private writeHeader(): void {
    writeSync(this.fd, wavHeader({ format: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16, dataBytes: this.dataBytes }), 0, HEADER_BYTES, 0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.writeHeader();
    closeSync(this.fd);
  }
}
