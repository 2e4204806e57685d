/**
 * Component readiness, kept in memory and only ever read by /readyz (which must never start anything).
 * Each component reports itself: the server once listening, the db after migrations, providers when warmed.
 */
export type Status = "ok" | "pending" | "err";
export const COMPONENTS = ["ws", "db", "stt", "tts", "llm", "whatsapp"] as const;
export type Component = (typeof COMPONENTS)[number];

export interface ReadySnapshot extends Record<Component, Status> {
  mode?: string;
  details?: Partial<Record<Component, string>>;
}

export class Readiness {
  private status = new Map<Component, { status: Status; reason?: string }>(COMPONENTS.map((c) => [c, { status: "pending" }]));
  /** Which call mode is active (e.g. "conversation", "voicemail"); set by the call layer. */
  mode?: string;

  set(component: Component, status: Status, reason?: string): void {
    this.status.set(component, { status, reason });
  }

  get(component: Component): Status {
    return this.status.get(component)!.status;
  }

  snapshot(): ReadySnapshot {
    const snap = {} as ReadySnapshot;
    const details: Partial<Record<Component, string>> = {};
    for (const [c, s] of this.status) {
      snap[c] = s.status;
      if (s.reason) details[c] = s.reason;
    }
    if (this.mode) snap.mode = this.mode;
    if (Object.keys(details).length) snap.details = details;
    return snap;
  }
}
