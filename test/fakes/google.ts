/**
 * A real gRPC server standing in for Google Speech-to-Text v1 and Text-to-Speech v1, built from the .proto files
 * shipped inside the Google packages. The app talks to it through its production clients (SPEECH_/TTS_EMULATOR_HOST).
 *
 * Speech: it cannot understand words, so it hears *when* the caller speaks (energy of the μ-law it receives) and
 * answers each utterance with the next scripted transcript: interim results while speech goes on, a final once
 * `finalAfterSilenceMs` of silence follows it — like Google, on the stream's own audio clock (resultEndTime).
 * TTS: answers a WAV (with an extra LIST chunk, as the RIFF walker must cope with) of μ-law tone, 60 ms a character.
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { join } from "node:path";
import { decode, encodeSample } from "../../src/audio/mulaw.ts";
import { rms } from "../../src/audio/vad.ts";

const ROOT = join(import.meta.dir, "..", "..");
const INCLUDE = [join(ROOT, "node_modules/@google-cloud/speech/build/protos"), join(ROOT, "node_modules/google-gax/build/protos")];

function load(file: string, includeDirs = INCLUDE) {
  const def = protoLoader.loadSync(file, { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true, includeDirs });
  return grpc.loadPackageDefinition(def) as unknown as Record<string, any>;
}

export interface SttScript {
  /** Transcripts handed out one per utterance, in order. When empty, "(unscripted)" is used. */
  transcripts: string[];
  /** Silence after speech before the final (ms of stream audio). */
  finalAfterSilenceMs: number;
  /** Send every final twice (a recognizer quirk the app must survive). */
  duplicateFinals: boolean;
  /** Close every new stream with this gRPC status after `failAfterMs` of audio (an outage). */
  failWith?: { code: number; afterMs: number; details?: string };
  /** Close only the next new stream this way (a transient error the client should recover from). */
  failOnce?: { code: number; afterMs: number; details?: string };
  /** The transcript used when `transcripts` is empty. */
  next?: () => string;
  /** Frames louder than this (RMS) are speech to the stand-in; raise it on a noisy, echoing line. */
  speechRms?: number;
  /** Reject new streams outright with UNAVAILABLE. */
  refuse: boolean;
}

export interface TtsScript {
  delayMs: number;
  /** Fail requests with UNAVAILABLE. */
  fail: boolean;
  msPerChar: number;
}

export interface StreamRecord {
  config: any;
  audioBytes: number;
  finals: string[];
  ended: boolean;
}

const defaultStt = (): SttScript => ({ transcripts: [], finalAfterSilenceMs: 250, duplicateFinals: false, refuse: false });
const defaultTts = (): TtsScript => ({ delayMs: 0, fail: false, msPerChar: 60 });

export class FakeGoogle {
  readonly stt: SttScript = defaultStt();
  readonly tts: TtsScript = defaultTts();
  readonly streams: StreamRecord[] = [];
  readonly ttsRequests: Array<{ text: string; voice: any; audioConfig: any }> = [];
  private server = new grpc.Server();
  private waiters: Array<() => void> = [];
  port = 0;

  /** Fresh scripts and records for the next test. */
  reset(): void {
    for (const k of Object.keys(this.stt) as Array<keyof SttScript>) delete this.stt[k];
    Object.assign(this.stt, defaultStt());
    Object.assign(this.tts, defaultTts());
    this.streams.length = 0;
    this.ttsRequests.length = 0;
  }

  /** Resolves once `pred` holds (checked whenever the stand-in hears or says something). */
  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`Google stand-in: ${what} not reached within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }

  private changed() {
    for (const w of this.waiters.splice(0)) w();
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const speech = load("google/cloud/speech/v1/cloud_speech.proto");
    const tts = load("google/cloud/texttospeech/v1/cloud_tts.proto", [join(ROOT, "node_modules/@google-cloud/text-to-speech/build/protos"), ...INCLUDE]);
    this.server.addService(speech.google.cloud.speech.v1.Speech.service, {
      streamingRecognize: (call: grpc.ServerDuplexStream<any, any>) => this.recognize(call),
    });
    this.server.addService(tts.google.cloud.texttospeech.v1.TextToSpeech.service, {
      synthesizeSpeech: (call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) => this.synthesize(call, cb),
    });
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }

  private recognize(call: grpc.ServerDuplexStream<any, any>) {
    if (this.stt.refuse) {
      call.emit("error", { code: grpc.status.UNAVAILABLE, details: "speech service unavailable (fake)" });
      return;
    }
    const record: StreamRecord = { config: undefined, audioBytes: 0, finals: [], ended: false };
    this.streams.push(record);
    this.changed();
    const failThisOnce = this.stt.failOnce;
    this.stt.failOnce = undefined;
    let audioMs = 0;
    let inSpeech = false;
    let speechMs = 0;
    let silenceMs = 0;
    let lastInterimAt = 0;
    let failed = false;
    const endTime = () => ({ seconds: String(Math.floor(audioMs / 1000)), nanos: (audioMs % 1000) * 1e6 });
    const send = (text: string, isFinal: boolean) => {
      if (call.writable) call.write({ results: [{ alternatives: [{ transcript: text, confidence: 0.9 }], isFinal, stability: isFinal ? 0 : 0.8, resultEndTime: endTime() }] });
    };
    call.on("data", (req: any) => {
      if (failed) return;
      if (req.streamingConfig) {
        record.config = req.streamingConfig;
        return;
      }
      const audio: Buffer = req.audioContent ?? Buffer.alloc(0);
      record.audioBytes += audio.length;
      // 20 ms frames of 160 bytes; judge each
      for (let i = 0; i + 160 <= audio.length; i += 160) {
        audioMs += 20;
        const voiced = rms(decode(audio.subarray(i, i + 160))) > (this.stt.speechRms ?? 300);
        if (voiced) {
          silenceMs = 0;
          speechMs += 20;
          if (!inSpeech && speechMs >= 60) inSpeech = true;
          if (inSpeech && audioMs - lastInterimAt >= 200) {
            lastInterimAt = audioMs;
            // interims show the start of the transcript the final will take (it is taken only at the final)
            const words = (this.stt.transcripts[0] ?? this.stt.next?.() ?? "(unscripted)").split(" ");
            send(words.slice(0, Math.max(1, Math.ceil(words.length / 2))).join(" "), false);
          }
        } else {
          speechMs = 0;
          silenceMs += 20;
          if (inSpeech && silenceMs >= this.stt.finalAfterSilenceMs) {
            inSpeech = false;
            const current = this.stt.transcripts.shift() ?? this.stt.next?.() ?? "(unscripted)";
            record.finals.push(current);
            send(current, true);
            if (this.stt.duplicateFinals) send(current, true);
            this.changed();
          }
        }
        const f = this.stt.failWith ?? failThisOnce;
        if (f && audioMs >= f.afterMs && !failed) {
          failed = true;
          call.emit("error", { code: f.code, details: f.details ?? "fake outage" });
          return;
        }
      }
    });
    call.on("end", () => {
      record.ended = true;
      if (!failed) call.end();
    });
    call.on("error", () => {});
  }

  private async synthesize(call: grpc.ServerUnaryCall<any, any>, cb: grpc.sendUnaryData<any>) {
    const req = call.request;
    this.ttsRequests.push({ text: req.input?.text ?? "", voice: req.voice, audioConfig: req.audioConfig });
    this.changed();
    if (this.tts.delayMs) await Bun.sleep(this.tts.delayMs);
    if (this.tts.fail) return cb({ code: grpc.status.UNAVAILABLE, details: "tts unavailable (fake)" } as grpc.ServiceError, null);
    const ms = Math.max(300, (req.input?.text ?? "").length * this.tts.msPerChar);
    cb(null, { audioContent: fakeWavMulaw(ms) });
  }
}

/** A μ-law WAV of a 440 Hz tone with a LIST chunk between fmt and data (Google's headers vary in size too). */
export function fakeWavMulaw(ms: number): Buffer {
  const n = Math.round(ms * 8);
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) data[i] = encodeSample(Math.sin((2 * Math.PI * 440 * i) / 8000) * 6000);
  const list = Buffer.from("LIST\x0a\x00\x00\x00INFOISFT\x00\x00", "latin1"); // 8 + 10 bytes (padded even)
  const fmt = Buffer.alloc(8 + 18);
  fmt.write("fmt ", 0, "latin1");
  fmt.writeUInt32LE(18, 4);
  fmt.writeUInt16LE(7, 8); // μ-law
  fmt.writeUInt16LE(1, 10);
  fmt.writeUInt32LE(8000, 12);
  fmt.writeUInt32LE(8000, 16);
  fmt.writeUInt16LE(1, 20);
  fmt.writeUInt16LE(8, 22);
  const dataHeader = Buffer.alloc(8);
  dataHeader.write("data", 0, "latin1");
  dataHeader.writeUInt32LE(n, 4);
  const body = Buffer.concat([Buffer.from("WAVE", "latin1"), fmt, list, dataHeader, data]);
  const riff = Buffer.alloc(8);
  riff.write("RIFF", 0, "latin1");
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}
