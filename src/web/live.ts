/**
 * The live-updates socket (GET /ws/admin): one per tab while signed in; pages subscribe with `useLive`.
 * When it drops it reconnects with exponential backoff (1 s → 30 s, with jitter), first asking /api/auth/session
 * (always 200): signed out → no reconnect (the app goes to the sign-in page) instead of a handshake refused with
 * 401, which the browser would log. After a reconnect, subscribers get a `live.reconnected` event to re-read what
 * they show (events sent while the socket was down are not replayed).
 */
import { signal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { loadSession } from "./session.ts";
import type { LiveEvent } from "./types.ts";

export const RECONNECTED = "live.reconnected";
export const liveState = signal<"off" | "connecting" | "open" | "waiting">("off");

const listeners = new Set<(e: LiveEvent) => void>();
let socket: WebSocket | undefined;
let wanted = false;
let attempt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let keepalive: ReturnType<typeof setInterval> | undefined;
let opened = false;

const emit = (e: LiveEvent) => {
  for (const l of [...listeners]) l(e);
};

function open() {
  clearTimeout(timer);
  if (!wanted || socket) return;
  liveState.value = "connecting";
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/admin`);
  socket = ws;
  ws.onopen = () => {
    liveState.value = "open";
    if (attempt > 0 || opened) emit({ type: RECONNECTED, at: new Date().toISOString(), contactId: null, data: {} });
    attempt = 0;
    opened = true;
    // proxies close idle sockets; the server answers {"type":"pong"}
    keepalive = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), 25_000);
  };
  ws.onmessage = (m) => {
    let e: LiveEvent;
    try {
      e = JSON.parse(String(m.data));
    } catch {
      return;
    }
    if (e && typeof e.type === "string" && e.type !== "pong") emit(e);
  };
  ws.onclose = () => {
    clearInterval(keepalive);
    socket = undefined;
    if (!wanted) return void (liveState.value = "off");
    liveState.value = "waiting";
    const delay = Math.min(30_000, 1000 * 2 ** attempt++) * (0.75 + Math.random() * 0.5);
    timer = setTimeout(reconnect, delay);
  };
}

async function reconnect() {
  if (!wanted) return;
  try {
    // signed out meanwhile (session ended, 4401): the app shows the sign-in page; nothing to reconnect
    if (!(await loadSession())) return stopLive();
  } catch {
    // the server is unreachable: wait longer
    liveState.value = "waiting";
    timer = setTimeout(reconnect, Math.min(30_000, 1000 * 2 ** attempt++));
    return;
  }
  open();
}

export function startLive() {
  if (wanted) return;
  wanted = true;
  attempt = 0;
  opened = false;
  open();
  addEventListener("online", wake);
}

export function stopLive() {
  wanted = false;
  clearTimeout(timer);
  removeEventListener("online", wake);
  socket?.close(1000);
  socket = undefined;
  liveState.value = "off";
}

/** Back online: try at once instead of waiting out the backoff. */
function wake() {
  if (wanted && !socket) void reconnect();
}

/** Calls `handler` for every live event (and `live.reconnected`) while the component is mounted. */
export function useLive(handler: (e: LiveEvent) => void) {
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    const l = (e: LiveEvent) => ref.current(e);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
}
