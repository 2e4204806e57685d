/**
 * The browser side of a Twilio Media Stream: it speaks to /ws/twilio-media exactly as Twilio does — subprotocol
 * `audio.twilio.com`; `connected`, then `start` (streamSid, callSid, the inbound track, μ-law 8000 Hz mono, the
 * `call_sid` and `token` custom parameters the TwiML's <Parameter>s would carry); 20 ms `media` frames with
 * Twilio's string counters (sequenceNumber, chunk, timestamp in ms); each `mark` echoed back when its audio has been
 * played; `stop` on hang-up — and hands the server's `media`, `mark` and `clear` to the page.
 */
import { FRAME_MS } from "./frame-clock.ts";
import { fromBase64, toBase64 } from "./codec.ts";

export const TWILIO_SUBPROTOCOL = "audio.twilio.com";

export interface StreamEvents {
  /** 20 ms (usually) of the agent's μ-law audio. */
  media(mulaw: Uint8Array): void;
  /** The server asks to be told when the audio sent so far has been played. */
  mark(name: string): void;
  /** The server wants the audio it sent and that has not played yet dropped (the caller barged in). */
  clear(): void;
  closed(code: number, reason: string): void;
}

/** What this module needs of a WebSocket (the browser's fits). */
export interface SocketLike {
  readonly readyState: number;
  readonly protocol: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((e: Event) => void) | null;
  onmessage: ((e: MessageEvent) => void) | null;
  onclose: ((e: CloseEvent) => void) | null;
  onerror: ((e: Event) => void) | null;
}

const OPEN = 1;
const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

export class TwilioStream {
  /** Twilio's shapes: MZ/AC + 32 hex. */
  readonly streamSid = `MZ${hex(16)}`;
  readonly accountSid = `AC${hex(16)}`;
  private sequence = 0;
  private chunk = 0;
  /** Counts for the page (and the browser test): frames out, frames in, marks echoed, clears received. */
  readonly stats = { framesSent: 0, framesReceived: 0, marksEchoed: 0, clears: 0, badMessages: 0 };

  constructor(
    private socket: SocketLike,
    private callSid: string,
    private token: string,
    private events: StreamEvents,
  ) {
    socket.onmessage = (e) => this.receive(e.data);
    socket.onclose = (e) => events.closed(e.code, e.reason);
  }

  /** Opens the media WebSocket with Twilio's subprotocol; resolves once `connected` and `start` are sent. */
  static open(url: string, callSid: string, token: string, events: StreamEvents, make: (url: string, protocol: string) => SocketLike = (u, p) => new WebSocket(u, p)): Promise<TwilioStream> {
    const socket = make(url, TWILIO_SUBPROTOCOL);
    return new Promise((resolve, reject) => {
      socket.onerror = () => reject(new Error("the media WebSocket could not be opened"));
      socket.onclose = (e) => reject(new Error(`the media WebSocket closed before it opened (${e.code})`));
      socket.onopen = () => {
        socket.onerror = null;
        const stream = new TwilioStream(socket, callSid, token, events);
        stream.begin();
        resolve(stream);
      };
    });
  }

  private write(message: Record<string, unknown>): void {
    if (this.socket.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private nextSequence = () => String(++this.sequence);

  private begin(): void {
    this.write({ event: "connected", protocol: "Call", version: "1.0.0" });
    this.write({
      event: "start",
      sequenceNumber: this.nextSequence(),
      start: {
        accountSid: this.accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ["inbound"],
        customParameters: { call_sid: this.callSid, token: this.token },
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
      streamSid: this.streamSid,
    });
  }

  /** One 20 ms frame of the caller's μ-law. */
  sendFrame(frame: Uint8Array): void {
    const chunk = ++this.chunk;
    this.write({
      event: "media",
      sequenceNumber: this.nextSequence(),
      media: { track: "inbound", chunk: String(chunk), timestamp: String((chunk - 1) * FRAME_MS), payload: toBase64(frame) },
      streamSid: this.streamSid,
    });
    this.stats.framesSent++;
  }

  /** Tells the server the audio before mark `name` has been played (or dropped by a clear). */
  echoMark(name: string): void {
    this.write({ event: "mark", sequenceNumber: this.nextSequence(), streamSid: this.streamSid, mark: { name } });
    this.stats.marksEchoed++;
  }

  sendDigit(digit: string): void {
    this.write({ event: "dtmf", streamSid: this.streamSid, sequenceNumber: this.nextSequence(), dtmf: { track: "inbound_track", digit } });
  }

  /** Hangs up: `stop`, then the socket closes. */
  stop(): void {
    this.write({ event: "stop", sequenceNumber: this.nextSequence(), stop: { accountSid: this.accountSid, callSid: this.callSid }, streamSid: this.streamSid });
    if (this.socket.readyState === OPEN) this.socket.close(1000, "hung up");
  }

  private receive(data: unknown): void {
    let m: { event?: unknown; media?: { payload?: unknown }; mark?: { name?: unknown } };
    try {
      m = typeof data === "string" ? JSON.parse(data) : {};
    } catch {
      m = {};
    }
    if (m.event === "media" && typeof m.media?.payload === "string") {
      const audio = fromBase64(m.media.payload);
      if (audio?.length) {
        this.stats.framesReceived++;
        return this.events.media(audio);
      }
    } else if (m.event === "mark" && typeof m.mark?.name === "string") return this.events.mark(m.mark.name);
    else if (m.event === "clear") {
      this.stats.clears++;
      return this.events.clear();
    }
    // binary frames, unknown events, broken payloads: what Twilio would report as 31951, counted and ignored
    this.stats.badMessages++;
  }
}
