/** The other parties of a call, scripted: the observer (the CRM), the tools' host, the telephony, the recording. */
import type { RecordingSink, Telephony } from "../../src/call/env.ts";
import type { CallMode, CallObserver, TurnRecord } from "../../src/call/observer.ts";
import type { LeadInput, ToolHost } from "../../src/dialog/tools.ts";

export class RecordingObserver implements CallObserver {
  turns: Array<TurnRecord & { callSid: string }> = [];
  events: Array<{ callSid: string; event: string; value?: number; data?: any }> = [];
  starts: Array<{ callSid: string; mode: CallMode; from?: string }> = [];
  ends: Array<{ callSid: string; outcome: string }> = [];
  modes: CallMode[] = [];
  recordings: string[] = [];
  /** Methods that throw (a database failing mid-call). */
  failing = new Set<keyof CallObserver>();

  private check(m: keyof CallObserver) {
    if (this.failing.has(m)) throw new Error(`database is locked (scripted, ${m})`);
  }
  started(callSid: string, info: { streamSid: string; mode: CallMode; from?: string }) {
    this.check("started");
    this.starts.push({ callSid, mode: info.mode, from: info.from });
  }
  turn(callSid: string, turn: TurnRecord) {
    this.check("turn");
    this.turns.push({ callSid, ...turn });
  }
  event(callSid: string, event: string, value?: number, data?: unknown) {
    this.check("event");
    this.events.push({ callSid, event, value, data });
  }
  recording(_callSid: string, path: string) {
    this.check("recording");
    this.recordings.push(path);
  }
  modeChanged(_callSid: string, mode: CallMode) {
    this.check("modeChanged");
    this.modes.push(mode);
  }
  ended(callSid: string, info: { outcome: string }) {
    this.check("ended");
    this.ends.push({ callSid, outcome: info.outcome });
  }
}

export class FakeHost implements ToolHost {
  leads: LeadInput[] = [];
  callbacks: Array<{ when: string; notes?: string }> = [];
  failing = false;
  constructor(private telephony: FakeTelephony) {}
  get canTransfer() {
    return this.telephony.canTransfer;
  }
  saveLead(lead: LeadInput) {
    if (this.failing) throw new Error("database is locked (scripted)");
    this.leads.push(lead);
  }
  scheduleCallback(input: { when: string; notes?: string }) {
    if (this.failing) throw new Error("database is locked (scripted)");
    this.callbacks.push(input);
  }
}

export class FakeTelephony implements Telephony {
  canTransfer = false;
  /** What the REST calls answer (false: no credentials, or Twilio refused). */
  hangupWorks = false;
  transferWorks = true;
  hangups: string[] = [];
  transfers: string[] = [];
  async hangup(callSid: string) {
    this.hangups.push(callSid);
    return this.hangupWorks;
  }
  async transfer(callSid: string) {
    this.transfers.push(callSid);
    return this.transferWorks;
  }
}

export class FakeRecording implements RecordingSink {
  readonly path = "/recordings/scripted.wav";
  callerFrames = 0;
  agentFrames = 0;
  closed = false;
  /** Throw on the n-th caller frame (a disk that fills up mid-call). */
  failAtFrame = Infinity;
  callerFrame() {
    if (++this.callerFrames >= this.failAtFrame) throw new Error("ENOSPC: no space left on device (scripted)");
  }
  agentFrame() {
    this.agentFrames++;
  }
  agentCleared() {}
  close() {
    this.closed = true;
  }
}
