import { useEffect, useState } from "preact/hooks";
import { api } from "../api.ts";
import { t } from "../i18n.ts";
import { Card } from "../ui.tsx";

/** The dashboard; later issues add calls, leads and tasks. For now: the system's readiness. */
export function OverviewPage() {
  const [ready, setReady] = useState<Record<string, unknown>>();
  useEffect(() => {
    api<Record<string, unknown>>("/readyz").then(setReady, () => setReady(undefined));
  }, []);
  const components = ["ws", "db", "stt", "tts", "llm", "whatsapp"];
  return (
    <div class="space-y-6">
      <h1 class="text-2xl font-bold">{t("welcome")}</h1>
      <Card title={t("status")}>
        <ul class="grid grid-cols-2 gap-2 sm:grid-cols-3">
          {components.map((c) => (
            <li key={c} class="flex items-center gap-2">
              <span class={`inline-block h-2.5 w-2.5 rounded-full ${ready?.[c] === "ok" ? "bg-emerald-500" : ready?.[c] === "err" ? "bg-red-500" : "bg-amber-400"}`} />
              <span class="font-mono text-sm">{c}</span>
              <span class="text-sm text-slate-500">{String(ready?.[c] ?? "…")}</span>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}

/** Placeholder for the admin pages later issues fill. */
export function EmptyPage(props: { title: string }) {
  return (
    <Card title={props.title}>
      <p class="text-slate-500">{t("nothingYet")}</p>
    </Card>
  );
}
