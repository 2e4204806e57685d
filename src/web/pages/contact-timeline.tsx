/** A contact's timeline: calls, WhatsApp messages, tasks, notes, payments and pipeline moves, newest first. */
import { ArrowLeftRight, CheckSquare, CreditCard, MessageCircle, Phone, StickyNote } from "lucide-preact";
import { useEffect, useState } from "preact/hooks";
import { qs } from "../api.ts";
import { clock, dateTime } from "../format.ts";
import { useApi, useLiveReload } from "../hooks.ts";
import { lang, t, tOr } from "../i18n.ts";
import type { Page, TimelineItem, TimelineKind } from "../types.ts";
import { Badge, Button, Empty, ErrorLine, Loading, StatusBadge, type IconComponent } from "../ui.tsx";

const KINDS: TimelineKind[] = ["call", "message", "task", "note", "payment", "status"];
const ICONS: Record<TimelineKind, IconComponent> = { call: Phone, message: MessageCircle, task: CheckSquare, note: StickyNote, payment: CreditCard, status: ArrowLeftRight };

function Entry(props: { item: TimelineItem }) {
  const { kind, data } = props.item;
  switch (kind) {
    case "call":
      return (
        <span>
          <a href={`/app/admin/calls/${encodeURIComponent(String(props.item.id))}`} class="font-medium text-indigo-700 hover:underline">
            {t("call")}
          </a>{" "}
          · {data.outcome ? tOr(`outcome_${data.outcome}`, data.outcome) : data.status}
          {data.durationS != null && <span class="tabular-nums"> · {clock(data.durationS)}</span>}
          {data.isTest && <Badge tone="amber" class="ms-1">{t("test")}</Badge>}
        </span>
      );
    case "message":
      return (
        <span>
          <span class="font-medium">{data.direction === "in" ? t("messageIn") : t("messageOut")}</span> · <bdi>{data.text ?? t("media")}</bdi>
        </span>
      );
    case "task":
      return (
        <span>
          <span class="font-medium">{data.taskKind === "callback" ? t("callback") : t("task")}</span> · <bdi>{data.title}</bdi>
          {data.done && <Badge tone="emerald" class="ms-1">{t("done")}</Badge>}
        </span>
      );
    case "note":
      return (
        <span>
          <span class="font-medium">{data.authorName ?? t("note")}</span>: <bdi class="whitespace-pre-wrap">{data.text}</bdi>
        </span>
      );
    case "payment":
      return (
        <span>
          <span class="font-medium">{t("payment")}</span> · <bdi dir="ltr">{(data.amount / 100).toFixed(2)} {data.currency}</bdi> · {tOr(`payment_${data.status}`, data.status)}
        </span>
      );
    case "status":
      return (
        <span class="inline-flex flex-wrap items-center gap-1">
          {t("statusChanged")} {data.from && <StatusBadge status={data.from} />}
          {/* from → to, in reading order */}
          {data.from && <span aria-hidden="true">{lang.value === "he" ? "←" : "→"}</span>}
          <StatusBadge status={data.to} />
        </span>
      );
  }
}

export function Timeline(props: { contactId: number; version: number }) {
  const [kind, setKind] = useState<TimelineKind | "all">("all");
  const [limit, setLimit] = useState(20);
  const res = useApi<Page<TimelineItem>>(`/api/contacts/${props.contactId}/timeline${qs({ kinds: kind === "all" ? undefined : kind, limit })}`);
  useEffect(() => {
    if (props.version) res.reload();
  }, [props.version]);
  useLiveReload(["call.started", "call.ended", "message.in", "task.created", "payment.updated"], res.reload, (e) => e.contactId === props.contactId);
  const data = res.data;
  return (
    <div>
      <div class="mb-3 flex flex-wrap gap-1" role="group" aria-label={t("showOnly")}>
        {(["all", ...KINDS] as const).map((k) => (
          <Button key={k} small variant={kind === k ? "primary" : "secondary"} pressed={kind === k} onClick={() => setKind(k)}>
            {t(`kind_${k}`)}
          </Button>
        ))}
      </div>
      <ErrorLine message={res.error} />
      {!data ? (
        !res.error && <Loading />
      ) : data.items.length === 0 ? (
        <Empty>{t("nothingYet")}</Empty>
      ) : (
        <ol class="relative space-y-3 border-s-2 border-slate-200 ps-4">
          {data.items.map((item) => {
            const Icon = ICONS[item.kind];
            return (
              <li key={`${item.kind}-${item.id}`} class="relative">
                <span class="absolute -start-[1.6rem] top-0.5 rounded-full bg-white p-0.5 text-slate-600 ring-2 ring-slate-200">
                  <Icon size={14} aria-hidden="true" />
                </span>
                <div class="text-xs text-slate-600">{dateTime(item.at)}</div>
                <div class="text-sm text-slate-900">
                  <Entry item={item} />
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {data && data.total > data.items.length && (
        <Button small variant="ghost" class="mt-3" onClick={() => setLimit(limit + 20)}>
          {t("showMore")}
        </Button>
      )}
    </div>
  );
}
