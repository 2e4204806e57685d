/**
 * /app/admin/test-call: talk to the agent from the browser over the phone path (see web/audio/test-call.ts). The
 * transcript and each reply's latency arrive live as `call.turn` events of this call; a text box sends a typed turn
 * instead of speech; the stream's counters show that audio flows both ways.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { HungUp, TestCall, type CallSnapshot, type PlacedCall } from "../audio/test-call.ts";
import type { MicProblem } from "../audio/microphone.ts";
import { t, type Key } from "../i18n.ts";
import { RECONNECTED, useLive } from "../live.ts";
import { buttonClass, Card, ErrorLine, PageHeader } from "../ui.tsx";

interface Turn {
  role: "caller" | "agent";
  text: string;
  at: string;
  interrupted: boolean;
  latencyMs: number | null;
}

const MIC_PROBLEM: Record<MicProblem, Key> = {
  denied: "tcMicDenied",
  missing: "tcMicMissing",
  busy: "tcMicBusy",
  insecure: "tcMicInsecure",
  unsupported: "tcMicUnsupported",
  failed: "tcMicFailed",
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} ${t("seconds")}`;

/** An API error in the owner's words where we know it, else the server's own message. */
function problemText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === "rate_limited") return t("tcTooMany");
    if (err.code === "conflict") return t("tcNotLive");
    return err.message;
  }
  return `${t("tcCannotStart")}: ${err instanceof Error ? err.message : String(err)}`;
}

export function TestCallPage() {
  const call = useRef<TestCall | undefined>(undefined);
  const [snap, setSnap] = useState<CallSnapshot>();
  const [turns, setTurns] = useState<Turn[]>([]);
  const [error, setError] = useState<string>();
  const [typed, setTyped] = useState("");
  const [sending, setSending] = useState(false);

  const refresh = () => setSnap(call.current?.snapshot);
  // counters and the level meter move continuously while a call is on
  useEffect(() => {
    if (snap?.phase !== "live") return;
    const timer = setInterval(refresh, 200);
    return () => clearInterval(timer);
  }, [snap?.phase]);
  // leaving the page hangs up
  useEffect(() => () => call.current?.hangUp(), []);

  useLive((e) => {
    const sid = call.current?.callSid;
    if (!sid) return;
    // turns spoken while the live socket was down: the call's record has them (an agent without the call's contact
    // cannot read it, and keeps what arrived live)
    if (e.type === RECONNECTED) return void api<{ turns: Turn[] }>(`/api/calls/${sid}`).then((r) => setTurns(r.turns), () => {});
    if (e.type !== "call.turn" || e.data.callSid !== sid) return;
    const { role, text, at, interrupted, latencyMs } = e.data as Turn;
    setTurns((list) => [...list, { role, text, at, interrupted, latencyMs }]);
  });

  async function start() {
    setError(undefined);
    setTurns([]);
    const c = TestCall.create(refresh);
    call.current = c;
    refresh();
    try {
      await c.start(() => api<PlacedCall>("/api/test-calls", { method: "POST" }));
    } catch (err) {
      if (!(err instanceof HungUp)) setError(problemText(err));
    }
    refresh();
  }

  async function say(e: Event) {
    e.preventDefault();
    const text = typed.trim();
    const sid = call.current?.callSid;
    if (!text || !sid) return;
    setSending(true);
    setError(undefined);
    try {
      await api(`/api/test-calls/${sid}/say`, { body: { text } });
      setTyped("");
    } catch (err) {
      setError(problemText(err));
    } finally {
      setSending(false);
    }
  }

  const phase = snap?.phase;
  const live = snap?.phase === "live";
  const latencies = turns.filter((x) => x.role === "agent" && x.latencyMs != null).map((x) => x.latencyMs!);
  const average = latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : undefined;
  const micProblem = snap && snap.mic !== "on" && snap.mic !== "muted" ? MIC_PROBLEM[snap.mic] : undefined;

  return (
    <div class="mx-auto max-w-3xl space-y-4">
      <PageHeader title={t("tcTitle")}>
        <p class="mt-1 text-slate-600">{t("tcIntro")}</p>
      </PageHeader>

      <Card>
        <div class="flex flex-wrap items-center gap-3">
          <p role="status" class="me-auto flex items-center gap-2 font-medium" data-phase={phase ?? "idle"}>
            <span aria-hidden="true" class={`inline-block h-3 w-3 rounded-full ${live ? "bg-green-500" : phase === "starting" ? "animate-pulse bg-amber-400" : "bg-slate-300"}`} />
            {!phase ? t("tcIdle") : phase === "starting" ? t("tcStarting") : live ? t("tcLive") : t("tcEnded")}
            {snap?.phase === "live" && <span class="text-sm font-normal text-slate-600">· {snap.agentSpeaking ? t("tcAgentSpeaking") : t("tcListening")}</span>}
          </p>
          {live || phase === "starting" ? (
            <>
              {snap?.mic === "on" || snap?.mic === "muted" ? (
                <button type="button" aria-pressed={snap.mic === "muted"} onClick={() => call.current?.setMuted(snap.mic !== "muted")} class={buttonClass("secondary")}>
                  {snap.mic === "muted" ? t("tcUnmute") : t("tcMute")}
                </button>
              ) : null}
              <button type="button" onClick={() => call.current?.hangUp()} class="rounded-md bg-red-700 px-5 py-2 font-semibold text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700">
                {t("tcHangUp")}
              </button>
            </>
          ) : (
            <button type="button" onClick={start} class="rounded-md bg-emerald-700 px-5 py-2 font-semibold text-white hover:bg-emerald-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-700">
              {t("tcStart")}
            </button>
          )}
        </div>
        {snap?.phase === "live" && snap.mic === "on" && (
          <label class="mt-4 flex items-center gap-3 text-sm text-slate-600">
            {t("tcLevel")}
            <meter class="h-3 w-40" min={0} max={0.3} low={0.02} high={0.2} optimum={0.1} value={Math.min(0.3, snap.level)} />
          </label>
        )}
        {snap?.phase === "live" && (
          <details class="mt-4">
            <summary class="cursor-pointer text-sm underline">{t("tcKeypad")}</summary>
            <div class="mt-2 grid w-48 grid-cols-3 gap-2" dir="ltr">
              {["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"].map((d) => (
                <button type="button" class="rounded-md py-2 font-mono text-lg ring-1 ring-slate-300 hover:bg-slate-50" onClick={() => call.current?.sendDigit(d)}>
                  {d}
                </button>
              ))}
            </div>
          </details>
        )}
        {micProblem && (
          <p role="alert" class="mt-4 rounded bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {t(micProblem)}
          </p>
        )}
        {snap?.closedBy && (
          <p class="mt-4 text-sm text-slate-700">
            {t("tcServerClosed")}
            {snap.closedBy.reason ? `: ${snap.closedBy.reason}` : ""}
          </p>
        )}
        {phase === "ended" && snap?.callSid && (
          <p class="mt-4">
            <a class="text-indigo-700 underline" href={`/app/admin/calls/${snap.callSid}`}>
              {t("tcOpenRecord")}
            </a>
          </p>
        )}
      </Card>

      <ErrorLine message={error} />

      <Card title={t("tcTranscript")}>
        {turns.length === 0 ? (
          <p class="text-slate-600">{t("tcNoTurns")}</p>
        ) : (
          <ol class="space-y-3" aria-live="polite" data-testid="transcript">
            {turns.map((turn, i) => (
              <li key={i} class={`flex ${turn.role === "caller" ? "justify-start" : "justify-end"}`} data-role={turn.role}>
                <div class={`max-w-[85%] rounded-lg px-3 py-2 ${turn.role === "caller" ? "bg-slate-100" : "bg-indigo-50"}`}>
                  <div class="text-xs font-medium text-slate-600">
                    {turn.role === "caller" ? t("caller") : t("agent")}
                    {turn.interrupted && ` · ${t("interrupted")}`}
                    {turn.latencyMs != null && (
                      <span data-testid="latency">
                        {" "}
                        · {t("tcReplyIn")} {seconds(turn.latencyMs)}
                      </span>
                    )}
                  </div>
                  <p class="whitespace-pre-wrap break-words" dir="auto">
                    {turn.text}
                  </p>
                </div>
              </li>
            ))}
          </ol>
        )}
        <form class="mt-4 flex flex-col gap-2 sm:flex-row sm:items-end" onSubmit={say}>
          <label class="flex-1">
            <span class="mb-1 block text-sm font-medium">{t("tcTypeLabel")}</span>
            <input
              name="say"
              class="w-full rounded-md border border-slate-300 px-3 py-2 focus:outline-none focus:ring-2 focus:ring-indigo-500 disabled:bg-slate-100"
              placeholder={t("tcTypePlaceholder")}
              dir="auto"
              maxLength={500}
              autocomplete="off"
              value={typed}
              disabled={!live}
              onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit" disabled={!live || sending || !typed.trim()} class={buttonClass("primary")}>
            {t("tcSend")}
          </button>
        </form>
      </Card>

      {snap && snap.phase !== "starting" && (
        <Card title={t("tcStats")}>
          <dl class="grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-3">
            <Stat label={t("tcFramesSent")} value={snap.framesSent} id="frames-sent" />
            <Stat label={t("tcFramesReceived")} value={snap.framesReceived} id="frames-received" />
            <Stat label={t("tcPlayed")} value={seconds(snap.playedMs)} id="played" raw={snap.playedMs} />
            <Stat label={t("tcMarks")} value={snap.marksEchoed} id="marks" />
            <Stat label={t("tcClears")} value={snap.clears} id="clears" />
            <Stat label={t("tcLatencyAvg")} value={average === undefined ? "—" : seconds(average)} id="latency-avg" />
          </dl>
        </Card>
      )}
    </div>
  );
}

function Stat(props: { label: string; value: string | number; id: string; raw?: number }) {
  return (
    <div>
      <dt class="text-slate-600">{props.label}</dt>
      <dd class="font-semibold tabular-nums" data-testid={props.id} data-value={props.raw ?? props.value}>
        {props.value}
      </dd>
    </div>
  );
}
