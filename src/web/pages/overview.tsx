/**
 * The day at a glance: today's calls (answered, missed), new leads, open and overdue tasks, calls in progress, the
 * reply latency p50/p95 per day (14 days) and calls per hour (today against the usual day), and today's missed
 * calls to call back. Re-read when calls, leads or tasks change.
 */
import type { ComponentChildren } from "preact";
import { AlertTriangle, ListChecks, PhoneIncoming, PhoneMissed, Radio, UserPlus } from "lucide-preact";
import { Chart } from "../components/chart.tsx";
import { millis, num, timeOnly } from "../format.ts";
import { useApi, useLiveReload } from "../hooks.ts";
import { locale, t } from "../i18n.ts";
import { liveCalls } from "../live-calls.ts";
import type { Overview } from "../types.ts";
import { Badge, Card, Empty, ErrorLine, Loading, PageHeader, Phone, type IconComponent } from "../ui.tsx";

function Stat(props: { href: string; label: string; value: number; icon: IconComponent; tone: string; children?: ComponentChildren }) {
  const Icon = props.icon;
  return (
    <a href={props.href} class="group rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 hover:ring-indigo-300 focus-visible:outline-2 focus-visible:outline-indigo-600">
      <div class="flex items-center justify-between gap-2">
        <span class="text-sm font-medium text-slate-700">{props.label}</span>
        <span class={`rounded-md p-1.5 ${props.tone}`}>
          <Icon size={18} aria-hidden="true" />
        </span>
      </div>
      <div class="mt-2 text-3xl font-bold tabular-nums text-slate-900">{num(props.value)}</div>
      <div class="mt-1 min-h-5 text-xs text-slate-600">{props.children}</div>
    </a>
  );
}

const shortDate = (iso: string) => new Date(`${iso}T12:00:00Z`).toLocaleDateString(locale(), { day: "numeric", month: "numeric", timeZone: "UTC" });

export function OverviewPage() {
  const stats = useApi<Overview>("/api/stats/overview?days=14");
  useLiveReload(["call.started", "call.ended", "lead.saved", "task.created"], stats.reload, undefined, 1000);
  const o = stats.data;
  const active = liveCalls.value.filter((c) => !c.ended).length;
  const hours = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, "0")}:00`);
  const dateLine = new Date().toLocaleDateString(locale(), { weekday: "long", day: "numeric", month: "long", ...(o ? { timeZone: o.tz } : {}) });

  return (
    <>
      <PageHeader title={t("overview")}>
        <p class="text-sm text-slate-600">{dateLine}</p>
      </PageHeader>
      <ErrorLine message={stats.error} />
      {active > 0 && (
        <a href="/app/admin/live" class="mb-4 flex items-center gap-3 rounded-lg bg-emerald-50 px-4 py-3 text-emerald-900 ring-1 ring-emerald-200 hover:bg-emerald-100">
          <Radio size={20} aria-hidden="true" class="motion-safe:animate-pulse" />
          <span class="font-medium">{t("callsInProgress", { n: active })}</span>
          <span class="ms-auto text-sm underline">{t("watchLive")}</span>
        </a>
      )}
      {!o ? (
        !stats.error && <Loading />
      ) : (
        <div class="space-y-4">
          <div class="grid grid-cols-2 gap-3 lg:grid-cols-4">
            <Stat href="/app/admin/calls?day=today" label={t("todaysCalls")} value={o.today.calls} icon={PhoneIncoming} tone="bg-indigo-50 text-indigo-700">
              {t("answeredN", { n: o.today.answered })}
            </Stat>
            <Stat href="/app/admin/contacts?sort=createdAt" label={t("newLeads")} value={o.today.newLeads} icon={UserPlus} tone="bg-sky-50 text-sky-700">
              {t("today")}
            </Stat>
            <Stat href="#missed" label={t("missedCalls")} value={o.today.missed} icon={PhoneMissed} tone="bg-red-50 text-red-700">
              {t("missedHint")}
            </Stat>
            <Stat href="/app/admin/tasks?view=overdue" label={t("openTasks")} value={o.tasks.open} icon={ListChecks} tone="bg-amber-50 text-amber-800">
              {o.tasks.overdue > 0 ? (
                <span class="inline-flex items-center gap-1 font-medium text-red-700">
                  <AlertTriangle size={14} aria-hidden="true" />
                  {t("overdueN", { n: o.tasks.overdue })}
                </span>
              ) : (
                t("dueTodayN", { n: o.tasks.today })
              )}
            </Stat>
          </div>

          <div class="grid gap-4 lg:grid-cols-2">
            <Card title={t("replyLatency")}>
              <p class="mb-2 text-xs text-slate-600">{t("replyLatencyHint")}</p>
              <Chart
                title={t("replyLatency")}
                xTitle={t("day")}
                xLabels={o.latency.map((d) => shortDate(d.date))}
                series={[
                  { label: "p50", color: "#4f46e5", values: o.latency.map((d) => d.p50), kind: "line", points: true },
                  { label: "p95", color: "#e11d48", values: o.latency.map((d) => d.p95), kind: "line", dash: [6, 4], points: true },
                ]}
                yFormat={millis}
                yTick={(ms) => (ms / 1000).toLocaleString(locale(), { maximumFractionDigits: 1 })}
              />
            </Card>
            <Card title={t("callsPerHour")}>
              <p class="mb-2 text-xs text-slate-600">{t("callsPerHourHint", { days: o.days - 1 })}</p>
              <Chart
                title={t("callsPerHour")}
                xTitle={t("hour")}
                xLabels={hours}
                series={[
                  { label: t("today"), color: "#4f46e5", values: o.callsByHour.today, kind: "bars" },
                  { label: t("usualDay"), color: "#d97706", values: o.callsByHour.average, kind: "line", dash: [4, 3] },
                ]}
                yFormat={(v) => v.toLocaleString(locale(), { maximumFractionDigits: 1 })}
                yTick={(v) => v.toLocaleString(locale())}
                integer
              />
            </Card>
          </div>

          <Card title={t("missedToday")} id="missed">
            {o.missedCalls.length === 0 ? (
              <Empty>{t("noMissed")}</Empty>
            ) : (
              <ul class="divide-y divide-slate-100">
                {o.missedCalls.map((m) => (
                  <li key={m.callSid} class="flex flex-wrap items-center gap-x-3 gap-y-1 py-2">
                    <a href={`/app/admin/calls/${encodeURIComponent(m.callSid)}`} class="min-w-0 font-medium text-indigo-700 hover:underline">
                      {m.contactName || <Phone value={m.fromNumber} />}
                    </a>
                    {m.contactName && m.fromNumber && (
                      <span class="text-sm text-slate-600">
                        <Phone value={m.fromNumber} />
                      </span>
                    )}
                    <Badge tone={m.reason === "voicemail" ? "violet" : "red"}>{t(`missed_${m.reason}`)}</Badge>
                    <span class="ms-auto text-sm tabular-nums text-slate-600">{timeOnly(m.startedAt)}</span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
