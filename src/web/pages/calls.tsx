/** Calls: a paged list, and one call with its transcript, timings and recording. */
import { useEffect, useState } from "preact/hooks";
import { useRoute } from "preact-iso";
import { api } from "../api.ts";
import { lang, t } from "../i18n.ts";
import { Card } from "../ui.tsx";

interface CallRow {
  callSid: string;
  fromNumber: string | null;
  startedAt: string;
  durationS: number | null;
  status: string;
  outcome: string | null;
  mode: string | null;
}
interface Turn {
  role: "caller" | "agent";
  text: string;
  at: string;
  interrupted: boolean;
  heardMs: number | null;
  latencyMs: number | null;
}

const when = (iso: string) => new Date(iso).toLocaleString(lang.value === "he" ? "he-IL" : "en-US", { dateStyle: "short", timeStyle: "short" });

export function CallsPage() {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ calls: CallRow[]; total: number; limit: number }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ calls: CallRow[]; total: number; limit: number }>(`/api/calls?page=${page}&limit=25`).then(setData, (e) => setError(String(e.message ?? e)));
  }, [page]);
  if (error) return <Card title={t("calls")}>{error}</Card>;
  if (!data) return null;
  const pages = Math.max(1, Math.ceil(data.total / data.limit));
  return (
    <Card title={`${t("calls")} (${data.total})`}>
      {data.calls.length === 0 ? (
        <p class="text-slate-500">{t("noCalls")}</p>
      ) : (
        <table class="w-full text-start text-sm">
          <thead class="text-slate-500">
            <tr>
              {[t("when"), t("from"), t("duration"), t("outcome"), t("mode")].map((h) => (
                <th class="py-2 text-start font-medium">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.calls.map((c) => (
              <tr key={c.callSid} class="border-t border-slate-100 hover:bg-slate-50">
                <td class="py-2">
                  <a class="text-indigo-700 underline" href={`/app/admin/calls/${c.callSid}`}>
                    {when(c.startedAt)}
                  </a>
                </td>
                <td class="py-2" dir="ltr">
                  {c.fromNumber ?? "—"}
                </td>
                <td class="py-2">{c.durationS == null ? c.status : `${c.durationS} ${t("seconds")}`}</td>
                <td class="py-2">{c.outcome ?? "—"}</td>
                <td class="py-2">{c.mode ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages > 1 && (
        <div class="mt-4 flex gap-4 text-sm">
          <button disabled={page <= 1} onClick={() => setPage(page - 1)} class="underline disabled:opacity-40">
            {t("previous")}
          </button>
          <span>
            {page} / {pages}
          </span>
          <button disabled={page >= pages} onClick={() => setPage(page + 1)} class="underline disabled:opacity-40">
            {t("next")}
          </button>
        </div>
      )}
    </Card>
  );
}

export function CallDetailPage() {
  const { params } = useRoute();
  const [data, setData] = useState<{ call: CallRow; turns: Turn[]; recordingUrl: string | null }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ call: CallRow; turns: Turn[]; recordingUrl: string | null }>(`/api/calls/${encodeURIComponent(params.callSid ?? "")}`).then(setData, (e) => setError(String(e.message ?? e)));
  }, [params.callSid]);
  if (error) return <Card title={t("calls")}>{error}</Card>;
  if (!data) return null;
  const { call, turns, recordingUrl } = data;
  return (
    <div class="space-y-6">
      <a href="/app/admin/calls" class="text-sm text-indigo-700 underline">
        {t("back")}
      </a>
      {/* U+2066/U+2069 isolate the number so "+972…" reads left to right inside Hebrew text */}
      <Card title={`${when(call.startedAt)} · \u2066${call.fromNumber ?? ""}\u2069`}>
        <dl class="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
          <div>
            <dt class="text-slate-500">{t("duration")}</dt>
            <dd>{call.durationS == null ? call.status : `${call.durationS} ${t("seconds")}`}</dd>
          </div>
          <div>
            <dt class="text-slate-500">{t("outcome")}</dt>
            <dd>{call.outcome ?? "—"}</dd>
          </div>
          <div>
            <dt class="text-slate-500">{t("mode")}</dt>
            <dd>{call.mode ?? "—"}</dd>
          </div>
          <div>
            <dt class="text-slate-500">CallSid</dt>
            <dd class="font-mono text-xs" dir="ltr">
              {call.callSid}
            </dd>
          </div>
        </dl>
        {recordingUrl && (
          <div class="mt-4">
            <div class="mb-1 text-sm text-slate-500">{t("recording")}</div>
            <audio controls preload="none" src={recordingUrl} class="w-full" />
          </div>
        )}
      </Card>
      <Card title={t("transcript")}>
        <ol class="space-y-3">
          {turns.map((turn, i) => (
            <li key={i} class={`flex ${turn.role === "agent" ? "justify-start" : "justify-end"}`}>
              <div class={`max-w-[75%] rounded-lg px-3 py-2 ${turn.role === "agent" ? "bg-indigo-50" : "bg-slate-100"}`}>
                <div class="mb-1 text-xs text-slate-500">
                  {turn.role === "agent" ? t("agent") : t("caller")} · {new Date(turn.at).toLocaleTimeString()}
                  {turn.latencyMs != null && ` · ${t("latency")} ${turn.latencyMs} ms`}
                  {turn.interrupted && ` · ${t("interrupted")}`}
                </div>
                <div>{turn.text}</div>
              </div>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
