/**
 * Calls in progress, their transcripts growing turn by turn as the caller and the agent speak (from the live
 * feed), and calls that ended in the last few minutes with how they ended.
 */
import { Radio } from "lucide-preact";
import { clock, millis, timeOnly } from "../format.ts";
import { useTicker } from "../hooks.ts";
import { t } from "../i18n.ts";
import { liveCalls, type LiveCall } from "../live-calls.ts";
import { liveState } from "../live.ts";
import { Badge, Card, Empty, PageHeader, Phone } from "../ui.tsx";
import { OutcomeBadge } from "./calls.tsx";

function LiveCallCard(props: { call: LiveCall }) {
  const c = props.call;
  const elapsed = ((c.ended ? Date.parse(c.ended.at) : Date.now()) - Date.parse(c.startedAt)) / 1000;
  return (
    <Card
      title={undefined}
      class={c.ended ? "opacity-90" : "ring-emerald-300"}
    >
      <article aria-label={t("callFrom", { from: c.fromNumber ?? "?" })} data-call-sid={c.callSid}>
        <header class="mb-3 flex flex-wrap items-center gap-2">
          {!c.ended && <span class="inline-block h-2.5 w-2.5 motion-safe:animate-pulse rounded-full bg-emerald-500" aria-hidden="true" />}
          <h2 class="font-semibold">
            <Phone value={c.fromNumber} />
          </h2>
          {c.isTest && <Badge tone="amber">{t("test")}</Badge>}
          {c.mode === "voicemail" && <Badge tone="violet">{t("mode_voicemail")}</Badge>}
          {c.ended ? <OutcomeBadge call={{ outcome: c.ended.outcome, status: "completed" }} /> : <Badge tone="emerald">{t("inProgress")}</Badge>}
          <span class="ms-auto tabular-nums text-sm text-slate-700" dir="ltr">
            {clock(c.ended?.durationS ?? elapsed)}
          </span>
        </header>
        <ol aria-live="polite" aria-relevant="additions" class="max-h-80 space-y-2 overflow-y-auto" tabIndex={0} aria-label={t("transcript")}>
          {c.turns.length === 0 && <li class="text-sm text-slate-600">{t("waitingForWords")}</li>}
          {c.turns.map((turn, i) => (
            <li key={i} class={`rounded-md px-3 py-2 text-sm ${turn.role === "agent" ? "bg-indigo-50" : "bg-slate-100"}`}>
              <span class="me-2 text-xs font-semibold text-slate-700">
                {turn.role === "agent" ? t("agent") : t("caller")} · <span class="tabular-nums">{timeOnly(turn.at, true)}</span>
                {turn.latencyMs != null && ` · ${millis(turn.latencyMs)}`}
              </span>
              {turn.text}
            </li>
          ))}
        </ol>
        <a href={`/app/admin/calls/${encodeURIComponent(c.callSid)}`} class="mt-3 inline-block text-sm text-indigo-700 hover:underline">
          {t("openCall")}
        </a>
      </article>
    </Card>
  );
}

export function LivePage() {
  useTicker(1000);
  const calls = liveCalls.value;
  const active = calls.filter((c) => !c.ended);
  const ended = calls.filter((c) => c.ended);
  return (
    <>
      <PageHeader title={t("liveCalls")}>
        <p class="flex items-center gap-1.5 text-sm text-slate-600" role="status">
          <Radio size={14} aria-hidden="true" />
          {liveState.value === "open" ? t("liveOn") : t("liveReconnecting")}
        </p>
      </PageHeader>
      {active.length === 0 && (
        <Card>
          <Empty>{t("noLiveCalls")}</Empty>
        </Card>
      )}
      <div class="grid gap-4 lg:grid-cols-2">
        {active.map((c) => (
          <LiveCallCard key={c.callSid} call={c} />
        ))}
      </div>
      {ended.length > 0 && (
        <section class="mt-6" aria-labelledby="ended-h">
          <h2 id="ended-h" class="mb-3 text-base font-semibold text-slate-800">
            {t("justEnded")}
          </h2>
          <div class="grid gap-4 lg:grid-cols-2">
            {ended.map((c) => (
              <LiveCallCard key={c.callSid} call={c} />
            ))}
          </div>
        </section>
      )}
    </>
  );
}
