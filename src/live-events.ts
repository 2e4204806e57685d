/**
 * Live events for the admin app: what happened, pushed as it happens to every signed-in browser over `/ws/admin`
 * (one JSON object per message: `{type, at, data}`). A leaf module like log.ts: services and the call layer's
 * listeners publish through a LiveFeed they are given; the HTTP layer delivers. `contactId` lets the delivery side
 * show an agent only the events of contacts assigned to them.
 *
 * @example feed.publish(LIVE.TASK_CREATED, { taskId: 7, contactId: 3 })
 */
export const LIVE = {
  CALL_STARTED: "call.started",
  CALL_TURN: "call.turn",
  CALL_ENDED: "call.ended",
  MESSAGE_IN: "message.in",
  MESSAGE_STATUS: "message.status",
  LEAD_SAVED: "lead.saved",
  TASK_CREATED: "task.created",
  PAYMENT_UPDATED: "payment.updated",
  WHATSAPP_STATE: "whatsapp.state",
} as const;

export type LiveEventType = (typeof LIVE)[keyof typeof LIVE];

export interface LiveEvent {
  type: LiveEventType;
  /** ISO time the event was published. */
  at: string;
  /** The contact the event is about, when there is one (agents see only their own contacts' events). */
  contactId?: number | null;
  data: Record<string, unknown>;
}

export interface LiveFeed {
  publish(type: LiveEventType, data: Record<string, unknown>, contactId?: number | null): void;
}

/** A feed that delivers to `deliver` (the HTTP layer's WebSocket fan-out), never throwing into the publisher. */
export function liveFeed(deliver: (event: LiveEvent) => void): LiveFeed {
  return {
    publish(type, data, contactId) {
      try {
        deliver({ type, at: new Date().toISOString(), contactId: contactId ?? null, data });
      } catch {
        // a failed push must never break the write that caused it; browsers re-read on reconnect
      }
    },
  };
}

/** For code paths and tests with nobody listening. */
export const silentFeed: LiveFeed = { publish() {} };
