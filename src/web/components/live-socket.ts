/**
 * The admin app's live events: one WebSocket to /ws/admin per tab, shared by every page that listens, opened while
 * anyone listens. Each message is `{type, at, contactId, data}`. It pings every 25 s (browsers cannot send
 * WebSocket pings; the server answers `pong`), reconnects with backoff (1 s doubling to 30 s, jittered) and tells
 * listeners when it is back, so a page re-reads what it may have missed.
 */
import { signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";

export interface LiveEvent<D = Record<string, unknown>> {
  type: string;
  at: string;
  contactId: number | null;
  data: D;
}

interface Listener {
  types: ReadonlySet<string>;
  event(e: LiveEvent): void;
  reconnected?(): void;
}

const PING_MS = 25_000;
const listeners = new Set<Listener>();
let socket: WebSocket | undefined;
let pinger: ReturnType<typeof setInterval> | undefined;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let idleTimer: ReturnType<typeof setTimeout> | undefined;
let failures = 0;
let everOpened = false;

/** Whether the live socket is open (pages show "live" / "reconnecting"). */
export const liveConnected = signal(false);

function connect(): void {
  if (socket || typeof WebSocket === "undefined") return;
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/admin`);
  socket = ws;
  ws.onopen = () => {
    const again = everOpened;
    everOpened = true;
    failures = 0;
    liveConnected.value = true;
    pinger = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), PING_MS);
    if (again) for (const l of listeners) l.reconnected?.();
  };
  ws.onmessage = (m) => {
    let e: LiveEvent;
    try {
      e = JSON.parse(String(m.data));
    } catch {
      return;
    }
    if (typeof e?.type !== "string" || !e.data) return;
    for (const l of listeners) if (l.types.has(e.type)) l.event(e);
  };
  ws.onclose = () => {
    clearInterval(pinger);
    socket = undefined;
    liveConnected.value = false;
    if (!listeners.size) return;
    const delay = Math.min(30_000, 1000 * 2 ** failures++) * (0.75 + Math.random() * 0.5);
    retryTimer = setTimeout(connect, delay);
  };
}

/** With nobody listening for this long (ms), the socket closes; moving between pages keeps it open. */
const IDLE_CLOSE_MS = 5000;

function listen(l: Listener): () => void {
  listeners.add(l);
  clearTimeout(idleTimer);
  connect();
  return () => {
    listeners.delete(l);
    if (listeners.size) return;
    idleTimer = setTimeout(() => {
      if (listeners.size) return;
      clearTimeout(retryTimer);
      socket?.close(1000, "no listeners");
    }, IDLE_CLOSE_MS);
  };
}

/** Calls `onEvent` for live events of `types` while the component is mounted; `onReconnect` after a drop. */
export function useLiveEvents<D = Record<string, unknown>>(types: string[], onEvent: (e: LiveEvent<D>) => void, onReconnect?: () => void): void {
  const latest = useRef({ onEvent, onReconnect });
  latest.current = { onEvent, onReconnect };
  useEffect(
    () =>
      listen({
        types: new Set(types),
        event: (e) => latest.current.onEvent(e as LiveEvent<D>),
        reconnected: () => latest.current.onReconnect?.(),
      }),
    [types.join(",")],
  );
}
