/**
 * What a call is given: built by the composition root when the call starts (so a change of the business settings
 * takes effect on the next call), grouped the way the call diagram reads — timing, providers, dialog, the
 * observer the records go to, and the telephony actions.
 */
import type { Vad } from "../audio/vad.ts";
import type { Clock } from "../clock.ts";
import type { Conversation } from "../dialog/conversation.ts";
import type { Lines } from "../dialog/lines.ts";
import type { ToolHost } from "../dialog/tools.ts";
import type { Logger } from "../log.ts";
import type { SttProvider } from "../providers/stt.ts";
import type { TtsProvider } from "../providers/tts.ts";
import type { CallObserver } from "./observer.ts";
import type { PacerSink } from "./pacer.ts";

export interface CallTiming {
  /** End-of-utterance silence (ms). */
  eouSilenceMs: number;
  /** Caller speech that interrupts the agent (ms). */
  bargeInMs: number;
  /** The model's first-token deadline (ms): the dialog answers from its script after it. */
  firstTokenMs: number;
  /** Agent audio must start within firstTokenMs + this after end of utterance, else a holding line (ms). */
  answerGraceMs: number;
  /** The greeting must start within this after the call starts, else the offline voice says it (ms). */
  greetingWithinMs: number;
}

export interface CallVoices {
  /** Replies (Google, falling back to espeak-ng). */
  reply: TtsProvider;
  /** Fixed lines (greeting, prompts), cached. */
  prompt: TtsProvider;
  /** Never waits on the network (espeak-ng, cached): what the watchdog says. */
  rescue: TtsProvider;
}

export interface CallProviders {
  /** Speech recognition; none → the call is a voicemail. */
  stt?: SttProvider;
  sttLanguage: string;
  phraseHints: string[];
  voices: CallVoices;
}

export interface CallDialog {
  /** This call's conversation, its tools acting through `host` (the call passes it back with failures logged). */
  conversation(host: ToolHost): Conversation;
  /** What the tools act through (the CRM); voicemail saves its lead through it too. */
  host: ToolHost;
  lines: Lines;
  businessName: string;
}

export interface Telephony {
  /** A transfer number and Twilio credentials are there. */
  readonly canTransfer: boolean;
  /** Redirects the call to a person; false when it could not. */
  transfer(callSid: string): Promise<boolean>;
  /** Ends the call through Twilio; false when it could not (the stream is then closed instead). */
  hangup(callSid: string): Promise<boolean>;
}

/** Where the call's audio is recorded (CallRecorder fits). Any method may throw: the call goes on unrecorded. */
export interface RecordingSink {
  readonly path: string;
  callerFrame(frame: Uint8Array): void;
  agentFrame(frame: Uint8Array): void;
  agentCleared(): void;
  close(): void;
}

export interface CallEnv {
  timing: CallTiming;
  providers: CallProviders;
  dialog: CallDialog;
  observer: CallObserver;
  telephony: Telephony;
  /** Opens the call's recording (may throw: the call goes on unrecorded). */
  recording?: () => RecordingSink;
  clock: Clock;
  log: Logger;
  vad?: () => Vad;
}

export interface CallStart {
  callSid: string;
  streamSid: string;
  from?: string;
  to?: string;
}

export interface CallSink extends PacerSink {
  /** Ends the media stream (Twilio then requests the <Connect action>). */
  close(reason: string): void;
}
