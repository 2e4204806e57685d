/**
 * /app/admin/payments: payment links, newest first, filtered by status, provider, dates and contact (the filters
 * live in the URL, so a filtered view is a link), statuses moving live on `payment.updated`; each link can be
 * copied or shared, and its history (the provider's notifications) opened. "New payment link" opens the dialog.
 */
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, errorText } from "../api.ts";
import { formatMoney } from "../components/money.ts";
import { contactLabel, PaymentLinkDialog, type ContactRef, type PaymentView } from "../components/payment-link.tsx";
import { ShareLinkButtons } from "../components/share-link.tsx";
import { dateTime as when } from "../format.ts";
import { t, type Key } from "../i18n.ts";
import { RECONNECTED, useLive } from "../live.ts";
import { Badge, buttonClass, Empty, ErrorLine, PageHeader } from "../ui.tsx";

const STATUSES = ["created", "pending", "paid", "failed", "expired", "refunded", "review"] as const;
const PROVIDERS = { paypal: "PayPal", tranzila: "Tranzila" } as const;
const PAGE = 25;

const STATUS_TONE = { created: "slate", pending: "amber", paid: "emerald", failed: "red", expired: "slate", refunded: "violet", review: "amber" } as const;

interface PaymentEvent {
  id: number;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  review: boolean;
  at: string;
}

const statusName = (s: string) => (STATUSES.includes(s as (typeof STATUSES)[number]) ? t(`pyStatus_${s}` as Key) : s);

/** Contacts' names and numbers, fetched once per contact while the app is open. */
const contacts = new Map<number, Promise<ContactRef | undefined>>();
const contactOf = (id: number) => {
  let found = contacts.get(id);
  if (!found) contacts.set(id, (found = api<ContactRef>(`/api/contacts/${id}`).catch(() => undefined)));
  return found;
};

export function PaymentStatus(props: { status: string }) {
  return (
    <span data-status={props.status}>
      <Badge tone={STATUS_TONE[props.status as keyof typeof STATUS_TONE] ?? "slate"} class="text-sm">
        {statusName(props.status)}
      </Badge>
    </span>
  );
}

function History(props: { id: number }) {
  const [events, setEvents] = useState<PaymentEvent[]>();
  useEffect(() => {
    api<{ events: PaymentEvent[] }>(`/api/crm/payments/${props.id}`).then((p) => setEvents(p.events), () => setEvents([]));
  }, [props.id]);
  if (!events) return null;
  return (
    <ol class="mt-2 space-y-1 text-sm text-slate-700">
      {events.map((e) => (
        <li key={e.id} class="flex flex-wrap gap-x-2">
          <time class="text-slate-600" dateTime={e.at}>
            {when(e.at)}
          </time>
          <span dir="auto">{e.kind}</span>
          {e.toStatus && e.fromStatus !== e.toStatus && <span>→ {statusName(e.toStatus)}</span>}
          {e.review && <span class="font-medium text-orange-800">({t("pyStatus_review")})</span>}
        </li>
      ))}
    </ol>
  );
}

function PaymentCard(props: { p: PaymentView }) {
  const p = props.p;
  const [contact, setContact] = useState<ContactRef>();
  const [history, setHistory] = useState(false);
  useEffect(() => {
    if (p.contactId) void contactOf(p.contactId).then(setContact);
  }, [p.contactId]);
  const open = p.url && (p.status === "pending" || p.status === "created");
  return (
    <li class="rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200" data-payment={p.id}>
      <div class="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span class="text-lg font-bold tabular-nums">{formatMoney(p.amount, p.currency)}</span>
        <PaymentStatus status={p.status} />
        <span class="ms-auto text-sm text-slate-600">
          {PROVIDERS[p.provider]} · <time dateTime={p.createdAt}>{when(p.createdAt)}</time>
        </span>
      </div>
      <p class="mt-1 break-words" dir="auto">
        {p.description}
      </p>
      <p class="mt-1 text-sm text-slate-700">
        {p.contactId ? (
          <a class="underline" href={`/app/admin/contacts/${p.contactId}`}>
            {contact ? contactLabel(contact) : `#${p.contactId}`}
          </a>
        ) : (
          t("pyNoContact")
        )}
      </p>
      <div class="mt-2 flex flex-wrap items-start gap-3">
        {open && <ShareLinkButtons url={p.url!} title={`${t("pyWhatsappText")}: ${p.description}`} />}
        <details class="min-w-0 basis-full text-sm" onToggle={(e) => setHistory((e.currentTarget as HTMLDetailsElement).open)}>
          <summary class="cursor-pointer underline">{t("pyHistory")}</summary>
          {/* read when opened, and again when the status moves */}
          {history && <History key={p.status} id={p.id} />}
        </details>
      </div>
    </li>
  );
}

/** Midnight at the start (or, with `end`, the last millisecond) of a yyyy-mm-dd day in the browser's time zone. */
const dayBound = (day: string, end = false) => new Date(`${day}T${end ? "23:59:59.999" : "00:00:00"}`).toISOString();

export function PaymentsPage() {
  const { query, route } = useLocation();
  const filter = { status: query.status ?? "", provider: query.provider ?? "", from: query.from ?? "", to: query.to ?? "", contactId: query.contactId ?? "" };
  const [data, setData] = useState<{ items: PaymentView[]; total: number }>();
  const [pages, setPages] = useState(1);
  const [error, setError] = useState<string>();
  const [creating, setCreating] = useState(false);
  const [filterContact, setFilterContact] = useState<ContactRef>();

  const search = (f: typeof filter, n = pages) => {
    const q = new URLSearchParams({ limit: String(PAGE * n) });
    if (f.status) q.set("status", f.status);
    if (f.provider) q.set("provider", f.provider);
    if (/^\d{4}-\d{2}-\d{2}$/.test(f.from)) q.set("from", dayBound(f.from));
    if (/^\d{4}-\d{2}-\d{2}$/.test(f.to)) q.set("to", dayBound(f.to, true));
    if (/^\d+$/.test(f.contactId)) q.set("contactId", f.contactId);
    return q;
  };
  const load = (n = pages) =>
    api<{ items: PaymentView[]; total: number }>(`/api/crm/payments?${search(filter, n)}`).then(
      (r) => {
        setData(r);
        setError(undefined);
      },
      (e) => setError(errorText(e)),
    );
  const key = JSON.stringify(filter);
  useEffect(() => {
    setPages(1);
    void load(1);
    if (/^\d+$/.test(filter.contactId)) void contactOf(Number(filter.contactId)).then(setFilterContact);
    else setFilterContact(undefined);
  }, [key]);

  useLive((e) => {
    if (e.type === RECONNECTED) return void load();
    if (e.type !== "payment.updated") return;
    const u = e.data as Pick<PaymentView, "id" | "status" | "url">;
    // a payment not on the page is new: where it goes depends on the filters
    if (!data?.items.some((p) => p.id === u.id)) return void load();
    setData((d) => d && { ...d, items: d.items.map((p) => (p.id === u.id ? { ...p, status: u.status, url: u.url ?? p.url } : p)) });
  });

  const setFilter = (patch: Partial<typeof filter>) => {
    const next = { ...filter, ...patch };
    const q = new URLSearchParams(Object.entries(next).filter(([, v]) => v) as Array<[string, string]>).toString();
    route(`/app/admin/payments${q ? `?${q}` : ""}`, true);
  };
  const filtered = Object.values(filter).some(Boolean);
  const SELECT = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 shadow-sm focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-600/30";

  return (
    <div class="mx-auto max-w-4xl space-y-4">
      <PageHeader
        title={t("pyTitle")}
        children={data && <p class="text-sm text-slate-600">{t("nResults", { n: data.total })}</p>}
        actions={
          <button type="button" class={buttonClass("primary")} onClick={() => setCreating(true)}>
            {t("pyNew")}
          </button>
        }
      />

      <section aria-label={t("pyFilters")} class="grid grid-cols-2 gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:grid-cols-4">
        <label class="block text-sm">
          <span class="mb-1 block font-medium">{t("pyStatus")}</span>
          <select class={SELECT} name="status" value={filter.status} onChange={(e) => setFilter({ status: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("pyAllStatuses")}</option>
            {STATUSES.map((s) => (
              <option value={s}>{statusName(s)}</option>
            ))}
          </select>
        </label>
        <label class="block text-sm">
          <span class="mb-1 block font-medium">{t("pyProvider")}</span>
          <select class={SELECT} name="provider" value={filter.provider} onChange={(e) => setFilter({ provider: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("pyAllProviders")}</option>
            {Object.entries(PROVIDERS).map(([v, name]) => (
              <option value={v}>{name}</option>
            ))}
          </select>
        </label>
        <label class="block text-sm">
          <span class="mb-1 block font-medium">{t("pyFrom")}</span>
          <input class={SELECT} type="date" name="from" value={filter.from} onChange={(e) => setFilter({ from: (e.target as HTMLInputElement).value })} />
        </label>
        <label class="block text-sm">
          <span class="mb-1 block font-medium">{t("pyTo")}</span>
          <input class={SELECT} type="date" name="to" value={filter.to} onChange={(e) => setFilter({ to: (e.target as HTMLInputElement).value })} />
        </label>
        {(filtered || filterContact) && (
          <div class="col-span-2 flex flex-wrap items-center gap-3 text-sm sm:col-span-4">
            {filter.contactId && (
              <span>
                {t("pyContact")}: <strong>{filterContact ? contactLabel(filterContact) : `#${filter.contactId}`}</strong>
              </span>
            )}
            <button type="button" class="underline" onClick={() => route("/app/admin/payments", true)}>
              {t("pyClear")}
            </button>
          </div>
        )}
      </section>

      <ErrorLine message={error} />
      {data && data.items.length === 0 && <Empty>{filtered ? t("pyNoMatch") : t("pyNone")}</Empty>}
      <ul class="space-y-3" data-testid="payments" aria-live="polite">
        {data?.items.map((p) => <PaymentCard key={p.id} p={p} />)}
      </ul>
      {data && data.items.length < data.total && (
        <div class="text-center">
          <button
            type="button"
            class={buttonClass("secondary")}
            onClick={() => {
              setPages(pages + 1);
              void load(pages + 1);
            }}
          >
            {t("showMore")}
          </button>
        </div>
      )}
      {creating && <PaymentLinkDialog contact={filterContact} onClose={() => setCreating(false)} onCreated={() => void load()} />}
    </div>
  );
}
