/**
 * Calls: a paged list, newest first, with filters kept in the address (period, outcome, test calls) and the same
 * list as a CSV download. New and finished calls appear without reloading.
 */
import { Download } from "lucide-preact";
import { useLocation } from "preact-iso";
import { qs } from "../api.ts";
import { Select } from "../form.tsx";
import { clock, dateTime } from "../format.ts";
import { useApi, useLiveReload } from "../hooks.ts";
import { t, tOr } from "../i18n.ts";
import type { CallRow } from "../types.ts";
import { Badge, buttonClass, Card, Empty, ErrorLine, Loading, PageHeader, Pager, Phone } from "../ui.tsx";

export const OUTCOMES = ["lead_saved", "callback_scheduled", "transferred", "voicemail", "caller_hung_up", "connection_lost", "interrupted", "server_shutdown", "error"];
const PERIODS = ["all", "today", "7d", "30d"] as const;

/** The `from` instant of a period, in the browser's time zone. */
function periodStart(p: string): string | undefined {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  if (p === "today") return d.toISOString();
  if (p === "7d") return new Date(d.getTime() - 6 * 86400_000).toISOString();
  if (p === "30d") return new Date(d.getTime() - 29 * 86400_000).toISOString();
  return undefined;
}

export function OutcomeBadge(props: { call: Pick<CallRow, "outcome" | "status"> }) {
  const o = props.call.outcome;
  if (props.call.status === "in-progress") return <Badge tone="emerald">{t("inProgress")}</Badge>;
  if (!o) return <span>—</span>;
  const tone = o === "lead_saved" || o === "callback_scheduled" ? "emerald" : o === "voicemail" ? "violet" : o === "transferred" ? "sky" : o === "error" || o === "connection_lost" ? "red" : "slate";
  return <Badge tone={tone}>{tOr(`outcome_${o}`, o)}</Badge>;
}

export function CallsPage() {
  const { path, query, route } = useLocation();
  const day = PERIODS.includes(query.day as (typeof PERIODS)[number]) ? query.day! : "all";
  const page = Math.max(1, Number(query.page) || 1);
  const filter = { from: periodStart(day), outcome: query.outcome, isTest: query.test === "real" ? "false" : query.test === "test" ? "true" : undefined };
  const calls = useApi<{ calls: CallRow[]; total: number; page: number; limit: number }>(`/api/calls${qs({ ...filter, page, limit: 25 })}`);
  useLiveReload(["call.started", "call.ended"], calls.reload);
  const set = (k: string, v: string) => route(`${path}${qs({ ...query, [k]: v === "all" ? "" : v, page: k === "page" ? v : "" })}`, true);
  const data = calls.data;

  return (
    <>
      <PageHeader
        title={t("calls")}
        actions={
          <a href={`/api/calls.csv${qs(filter)}`} download class={buttonClass("secondary", true)}>
            <Download size={16} aria-hidden="true" />
            {t("exportCsv")}
          </a>
        }
      />
      <Card>
        <div class="grid grid-cols-1 gap-x-3 sm:grid-cols-3">
          <Select label={t("period")} value={day} onChange={(v) => set("day", v)} options={PERIODS.map((p) => ({ value: p, label: t(`period_${p}`) }))} />
          <Select label={t("outcome")} value={query.outcome ?? "all"} onChange={(v) => set("outcome", v)} options={[{ value: "all", label: t("any") }, ...OUTCOMES.map((o) => ({ value: o, label: t(`outcome_${o}` as "outcome_voicemail") }))]} />
          <Select
            label={t("testCalls")}
            value={query.test ?? "all"}
            onChange={(v) => set("test", v)}
            options={[
              { value: "all", label: t("allCalls") },
              { value: "real", label: t("realOnly") },
              { value: "test", label: t("testOnly") },
            ]}
          />
        </div>
        <ErrorLine message={calls.error} />
        {!data ? (
          !calls.error && <Loading />
        ) : data.calls.length === 0 ? (
          <Empty>{day === "all" && !query.outcome && !query.test ? t("noCalls") : t("noMatches")}</Empty>
        ) : (
          <table class="mt-2 w-full text-sm">
            <caption class="sr-only">{t("calls")}</caption>
            <thead class="text-slate-600">
              <tr class="border-b border-slate-200">
                <th scope="col" class="py-2 text-start font-medium">
                  {t("when")}
                </th>
                <th scope="col" class="py-2 text-start font-medium">
                  {t("from")}
                </th>
                <th scope="col" class="hidden py-2 text-start font-medium sm:table-cell">
                  {t("duration")}
                </th>
                <th scope="col" class="py-2 text-start font-medium">
                  {t("outcome")}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.calls.map((c) => (
                <tr key={c.callSid} class="border-b border-slate-100 last:border-0 hover:bg-slate-50">
                  <td class="py-2.5 pe-2">
                    <a class="font-medium text-indigo-700 hover:underline" href={`/app/admin/calls/${encodeURIComponent(c.callSid)}`}>
                      {dateTime(c.startedAt)}
                    </a>
                    {c.isTest && (
                      <Badge tone="amber" class="ms-2">
                        {t("test")}
                      </Badge>
                    )}
                  </td>
                  <td class="py-2.5 pe-2">
                    <Phone value={c.fromNumber} />
                  </td>
                  <td class="hidden py-2.5 pe-2 tabular-nums sm:table-cell">{c.durationS == null ? "—" : clock(c.durationS)}</td>
                  <td class="py-2.5">
                    <OutcomeBadge call={c} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data && <Pager page={data.page} total={data.total} limit={data.limit} onPage={(p) => set("page", String(p))} />}
      </Card>
    </>
  );
}
