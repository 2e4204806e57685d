/**
 * One call: its facts, the recording, the transcript (each turn seeks the player to where it was said, and the turn
 * being played is marked), the agent's reply time per turn, and the call's events in order.
 */
import { ArrowLeft, Play } from "lucide-preact";
import { useRef, useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { clock, dateTime, millis, timeOnly } from "../format.ts";
import { useApi, useLiveReload } from "../hooks.ts";
import { t, tOr } from "../i18n.ts";
import type { CallDetail } from "../types.ts";
import { Badge, Card, Empty, ErrorLine, Facts, Loading, PageHeader, Phone } from "../ui.tsx";
import { OutcomeBadge } from "./calls.tsx";
import { turnStarts } from "./call-timing.ts";

function percentile(sorted: number[], p: number) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : null;
}

export function CallDetailPage() {
  const { params } = useRoute();
  const sid = params.callSid ?? "";
  const res = useApi<CallDetail>(`/api/calls/${encodeURIComponent(sid)}`);
  useLiveReload(["call.turn", "call.ended"], res.reload, (e) => e.data.callSid === sid);
  const audio = useRef<HTMLAudioElement>(null);
  const [playing, setPlaying] = useState(-1);
  const d = res.data;
  if (res.error)
    return (
      <>
        <PageHeader title={t("call")} />
        <ErrorLine message={res.error} />
      </>
    );
  if (!d) return <Loading />;
  const { call, turns, events } = d;
  const starts = turnStarts(d);
  const latencies = turns.filter((x) => x.role === "agent" && x.latencyMs != null).map((x) => x.latencyMs!).sort((a, b) => a - b);
  const t0 = Date.parse(call.answeredAt ?? call.startedAt);

  const seek = (i: number) => {
    const a = audio.current;
    if (!a) return;
    a.currentTime = starts[i]!;
    void a.play().catch(() => undefined);
  };
  const onTime = () => {
    const now = audio.current?.currentTime ?? 0;
    let i = -1;
    starts.forEach((s, k) => {
      if (s <= now + 0.05) i = k;
    });
    if (i !== playing) setPlaying(i);
  };

  return (
    <>
      <a href="/app/admin/calls" class="mb-2 inline-flex items-center gap-1 text-sm text-indigo-700 hover:underline">
        <ArrowLeft size={16} aria-hidden="true" class="rtl:-scale-x-100" />
        {t("allCallsBack")}
      </a>
      <PageHeader title={`${t("call")} · ${dateTime(call.startedAt)}`} actions={call.isTest ? <Badge tone="amber">{t("testCall")}</Badge> : undefined} />
      <div class="grid gap-4 lg:grid-cols-3">
        <div class="space-y-4 lg:col-span-2">
          <Card title={t("recording")}>
            {d.recordingUrl ? (
              <audio ref={audio} controls preload="metadata" src={d.recordingUrl} class="w-full" onTimeUpdate={onTime} aria-label={t("recording")} />
            ) : (
              <Empty>{t("noRecording")}</Empty>
            )}
          </Card>
          <Card title={t("transcript")}>
            {turns.length === 0 ? (
              <Empty>{t("noTurns")}</Empty>
            ) : (
              <ol class="space-y-3">
                {turns.map((turn, i) => {
                  const agent = turn.role === "agent";
                  return (
                    <li key={i} class={`flex ${agent ? "justify-start" : "justify-end"}`}>
                      <div class={`max-w-[85%] rounded-lg px-3 py-2 ring-1 ${agent ? "bg-indigo-50 ring-indigo-100" : "bg-slate-100 ring-slate-200"} ${playing === i ? "outline-2 outline-indigo-600" : ""}`}>
                        <div class="mb-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-700">
                          <span class="font-semibold">{agent ? t("agent") : t("caller")}</span>
                          <span class="tabular-nums">{timeOnly(turn.at, true)}</span>
                          {agent && turn.latencyMs != null && <Badge tone={turn.latencyMs > 1500 ? "amber" : "emerald"}>{t("replyIn", { t: millis(turn.latencyMs) })}</Badge>}
                          {turn.interrupted && <Badge tone="red">{t("interrupted")}</Badge>}
                        </div>
                        <p class="whitespace-pre-wrap">{turn.text}</p>
                        {d.recordingUrl && (
                          <button type="button" onClick={() => seek(i)} class="mt-1 inline-flex items-center gap-1 text-xs font-medium text-indigo-700 hover:underline">
                            <Play size={12} aria-hidden="true" />
                            <span class="sr-only">{t("playFrom")}</span>
                            <span class="tabular-nums" dir="ltr">
                              {clock(starts[i]!)}
                            </span>
                          </button>
                        )}
                      </div>
                    </li>
                  );
                })}
              </ol>
            )}
          </Card>
        </div>
        <div class="space-y-4">
          <Card title={t("details")}>
            <Facts
              items={[
                [t("from"), <Phone value={call.fromNumber} />],
                [t("to"), <Phone value={call.toNumber} />],
                [t("duration"), call.durationS == null ? "—" : clock(call.durationS)],
                [t("outcome"), <OutcomeBadge call={call} />],
                [t("mode"), call.mode ? tOr(`mode_${call.mode}`, call.mode) : "—"],
                [t("contact"), call.contactId ? <a href={`/app/admin/contacts/${call.contactId}`} class="text-indigo-700 underline">{t("openContact")}</a> : "—"],
              ]}
            />
            <div class="mt-3 text-xs text-slate-600">
              CallSid{" "}
              <bdi dir="ltr" class="break-all font-mono">
                {call.callSid}
              </bdi>
            </div>
          </Card>
          <Card title={t("replyTimes")}>
            {latencies.length === 0 ? (
              <Empty>{t("noReplies")}</Empty>
            ) : (
              <Facts
                wide
                items={[
                  [t("replies"), String(latencies.length)],
                  ["p50", millis(percentile(latencies, 50))],
                  [t("slowest"), millis(latencies.at(-1))],
                ]}
              />
            )}
          </Card>
          <Card title={t("events")}>
            {events.length === 0 ? (
              <Empty>{t("noEvents")}</Empty>
            ) : (
              <ol class="max-h-96 space-y-1 overflow-y-auto text-xs" tabIndex={0} aria-label={t("events")}>
                {events.map((e, i) => (
                  <li key={i} class="flex gap-2 border-b border-slate-100 py-1 last:border-0">
                    <span class="w-14 shrink-0 tabular-nums text-slate-600" dir="ltr">
                      +{((Date.parse(e.at) - t0) / 1000).toFixed(1)}s
                    </span>
                    <bdi dir="ltr" class="min-w-0 break-all font-mono text-slate-900">
                      {e.event}
                      {e.value != null && <span class="text-slate-600"> = {e.value}</span>}
                    </bdi>
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
