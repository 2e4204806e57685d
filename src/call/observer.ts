/**
 * What a call tells the rest of the system. call/ never imports the CRM: it calls these methods and a listener
 * (crm/call-records.ts) persists them as they happen, so a crash mid-call loses nothing said so far.
 */
export type CallMode = "conversation" | "voicemail";

export interface TurnRecord {
  role: "caller" | "agent";
  text: string;
  at: Date;
  interrupted?: boolean;
  heardMs?: number;
  latencyMs?: number;
}

export interface CallObserver {
  started(callSid: string, info: { streamSid: string; mode: CallMode; from?: string; to?: string }): void;
  turn(callSid: string, turn: TurnRecord): void;
  event(callSid: string, event: string, value?: number, data?: unknown): void;
  recording(callSid: string, path: string): void;
  /** The call switched mode (e.g. to voicemail after the recognizer failed). */
  modeChanged(callSid: string, mode: CallMode): void;
  ended(callSid: string, info: { outcome: string; status?: "completed" | "failed" }): void;
}

/**
 * The observer as a call uses it: a failing listener (a database hiccup) is logged and never reaches the call.
 * `onFailure` gets the method name and the error.
 */
export function guardObserver(observer: CallObserver, onFailure: (what: string, err: unknown) => void): CallObserver {
  const guard =
    <A extends unknown[]>(what: keyof CallObserver, fn: (...args: A) => void) =>
    (...args: A) => {
      try {
        fn.apply(observer, args);
      } catch (err) {
        onFailure(what, err);
      }
    };
  return {
    started: guard("started", observer.started),
    turn: guard("turn", observer.turn),
    event: guard("event", observer.event),
    recording: guard("recording", observer.recording),
    modeChanged: guard("modeChanged", observer.modeChanged),
    ended: guard("ended", observer.ended),
  };
}
