/**
 * The payment-link dialog, used from a contact's page, the inbox thread and the payments page: amount typed as a
 * decimal and sent as integer minor units, ILS or USD, one of the configured providers, a description; the contact
 * given, or picked by search. Once the provider has made the link: copy / share it, open it, and — when a WhatsApp
 * channel is working and there is a contact — send it on WhatsApp through the same send route as the inbox.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { t, type Key } from "../i18n.ts";
import { CURRENCIES, formatMoney, parseAmount, type Currency } from "./money.ts";
import { ShareLinkButtons } from "./share-link.tsx";
import { WhatsappProblemAlert } from "./whatsapp-problem.tsx";

export interface ContactRef {
  id: number;
  name: string | null;
  phone: string | null;
}

export interface PaymentView {
  id: number;
  status: string;
  amount: number;
  currency: string;
  provider: "paypal" | "tranzila";
  description: string;
  url: string | null;
  contactId: number | null;
  createdAt: string;
}

type Provider = PaymentView["provider"];
const PROVIDER_NAMES: Record<Provider, string> = { paypal: "PayPal", tranzila: "Tranzila" };
const INPUT = "w-full rounded-md border border-slate-300 px-3 py-2 focus:outline-none focus:ring-2 focus:ring-indigo-500";
const PRIMARY = "rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700 disabled:opacity-50";
const SECONDARY = "rounded-md px-4 py-2 font-medium ring-1 ring-slate-300 hover:bg-slate-50";

export const contactLabel = (c: ContactRef) => c.name || c.phone || `#${c.id}`;

/** Which providers the server has, and whether a WhatsApp message can go out now. */
function useChannels() {
  const [providers, setProviders] = useState<Provider[]>();
  const [whatsapp, setWhatsapp] = useState(false);
  useEffect(() => {
    api<{ configured: { payments: Record<Provider, boolean> } }>("/api/settings/providers").then(
      (r) => setProviders((["paypal", "tranzila"] as const).filter((p) => r.configured.payments[p])),
      () => setProviders([]),
    );
    api<{ state: string; channels: { baileys: boolean; twilio: boolean } }>("/api/whatsapp/status").then(
      (s) => setWhatsapp(s.state === "ok" || s.channels.twilio),
      () => setWhatsapp(false),
    );
  }, []);
  return { providers, whatsapp };
}

function ContactPicker(props: { onPick: (c: ContactRef) => void }) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<ContactRef[]>([]);
  useEffect(() => {
    const query = q.trim();
    if (!query) return setFound([]);
    const timer = setTimeout(() => {
      api<{ items: ContactRef[] }>(`/api/contacts?limit=5&q=${encodeURIComponent(query)}`).then((r) => setFound(r.items), () => setFound([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <div>
      <label class="block">
        <span class="mb-1 block text-sm font-medium">{t("pySearchContact")}</span>
        <input class={INPUT} type="search" name="contact-search" placeholder={t("pySearchHint")} value={q} autocomplete="off" onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
      </label>
      {found.length > 0 && (
        <ul class="mt-1 divide-y divide-slate-100 rounded-md ring-1 ring-slate-200">
          {found.map((c) => (
            <li key={c.id}>
              <button type="button" class="flex w-full justify-between gap-2 px-3 py-2 text-start hover:bg-slate-50" onClick={() => props.onPick(c)}>
                <span>{c.name || "—"}</span>
                <span dir="ltr" class="text-slate-600">
                  {c.phone}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function PaymentLinkDialog(props: { contact?: ContactRef; onClose: () => void; onCreated?: (p: PaymentView) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const { providers, whatsapp } = useChannels();
  const [contact, setContact] = useState<ContactRef | undefined>(props.contact);
  const [amount, setAmount] = useState("");
  const [currency, setCurrency] = useState<Currency>("ILS");
  const [provider, setProvider] = useState<Provider>();
  const [description, setDescription] = useState("");
  const [problems, setProblems] = useState<{ amount?: string; description?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<PaymentView>();
  const [sent, setSent] = useState<"no" | "sending" | "sent">("no");
  const [sendProblem, setSendProblem] = useState<unknown>();

  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  useEffect(() => {
    if (!provider && providers?.length) setProvider(providers[0]);
  }, [providers]);

  async function create(e: Event) {
    e.preventDefault();
    const minor = parseAmount(amount);
    const next: typeof problems = {};
    if (minor === undefined) next.amount = t("pyAmountBad");
    if (!description.trim() || description.trim().length > 127) next.description = t("pyDescriptionBad");
    setProblems(next);
    if (next.amount || next.description || !provider) return;
    setBusy(true);
    try {
      const payment = await api<PaymentView>("/api/crm/payments", { body: { contactId: contact?.id, amount: minor, currency, description: description.trim(), provider } });
      setCreated(payment);
      props.onCreated?.(payment);
    } catch (err) {
      setProblems(apiProblems(err));
    } finally {
      setBusy(false);
    }
  }

  async function sendOnWhatsapp() {
    if (!created?.url || !contact) return;
    setSent("sending");
    setSendProblem(undefined);
    try {
      await api("/api/whatsapp/send", { body: { contactId: contact.id, text: `${t("pyWhatsappText")}: ${created.description} — ${formatMoney(created.amount, created.currency)}\n${created.url}` } });
      setSent("sent");
    } catch (err) {
      setSendProblem(err);
      setSent("no");
    }
  }

  const close = () => dialog.current?.close();
  const noProvider = providers !== undefined && providers.length === 0;

  return (
    <dialog ref={dialog} onClose={props.onClose} aria-labelledby="payment-link-title" class="m-auto w-[min(32rem,calc(100vw-1.5rem))] rounded-lg bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50">
      <div class="p-5">
        <h2 id="payment-link-title" class="mb-4 text-lg font-semibold">
          {created ? t("pyReady") : t("pyLink")}
          {contact && <span class="font-normal text-slate-600"> · {contactLabel(contact)}</span>}
        </h2>
        {created ? (
          <div class="space-y-4">
            <p class="text-2xl font-bold">{formatMoney(created.amount, created.currency)}</p>
            <p class="text-slate-700">{created.description}</p>
            <label class="block">
              <span class="mb-1 block text-sm font-medium">{t("pyLink")}</span>
              <input class={`${INPUT} bg-slate-50`} dir="ltr" readonly value={created.url ?? ""} name="payment-url" onFocus={(e) => (e.target as HTMLInputElement).select()} />
            </label>
            {created.url && <ShareLinkButtons url={created.url} title={`${t("pyWhatsappText")}: ${created.description}`} />}
            {contact && whatsapp && created.url && (
              <div>
                <button type="button" class={PRIMARY} disabled={sent !== "no"} onClick={sendOnWhatsapp}>
                  {sent === "sent" ? t("pySentWhatsapp") : sent === "sending" ? t("ibSending") : t("pySendWhatsapp")}
                </button>
                {sent === "sent" && <span role="status" class="sr-only">{t("pySentWhatsapp")}</span>}
              </div>
            )}
            {sendProblem !== undefined && <WhatsappProblemAlert source={sendProblem} />}
            <div class="flex justify-end">
              <button type="button" class={SECONDARY} onClick={close}>
                {t("pyClose")}
              </button>
            </div>
          </div>
        ) : (
          <form class="space-y-4" onSubmit={create} noValidate>
            {noProvider && (
              <p role="alert" class="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900">
                {t("pyProviderNone")}
              </p>
            )}
            {contact ? (
              !props.contact && (
                <p class="flex items-center gap-3 text-sm">
                  <span>
                    {t("pyContact")}: <strong>{contactLabel(contact)}</strong>
                  </span>
                  <button type="button" class="underline" onClick={() => setContact(undefined)}>
                    {t("pyChange")}
                  </button>
                </p>
              )
            ) : (
              <ContactPicker onPick={setContact} />
            )}
            <div class="grid grid-cols-[minmax(0,1fr)_auto] gap-3">
              <label class="block">
                <span class="mb-1 block text-sm font-medium">{t("pyAmount")}</span>
                <input
                  class={INPUT}
                  name="amount"
                  dir="ltr"
                  inputMode="decimal"
                  autocomplete="off"
                  required
                  value={amount}
                  aria-invalid={problems.amount ? "true" : undefined}
                  aria-describedby="amount-hint"
                  onInput={(e) => setAmount((e.target as HTMLInputElement).value)}
                />
                <span id="amount-hint" class={`mt-1 block text-xs ${problems.amount ? "text-red-700" : "text-slate-600"}`}>
                  {problems.amount ?? t("pyAmountHint")}
                </span>
              </label>
              <label class="block">
                <span class="mb-1 block text-sm font-medium">{t("pyCurrency")}</span>
                <select class={INPUT} name="currency" value={currency} onChange={(e) => setCurrency((e.target as HTMLSelectElement).value as Currency)}>
                  {CURRENCIES.map((c) => (
                    <option value={c}>{c === "ILS" ? "₪ ILS" : "$ USD"}</option>
                  ))}
                </select>
              </label>
            </div>
            <label class="block">
              <span class="mb-1 block text-sm font-medium">{t("pyDescription")}</span>
              <input
                class={INPUT}
                name="description"
                maxLength={127}
                required
                value={description}
                aria-invalid={problems.description ? "true" : undefined}
                aria-describedby={problems.description ? "description-problem" : undefined}
                onInput={(e) => setDescription((e.target as HTMLInputElement).value)}
              />
              {problems.description && (
                <span id="description-problem" class="mt-1 block text-xs text-red-700">
                  {problems.description}
                </span>
              )}
            </label>
            {providers && providers.length > 0 && (
              <fieldset>
                <legend class="mb-1 text-sm font-medium">{t("pyProvider")}</legend>
                <div class="flex gap-4">
                  {providers.map((p) => (
                    <label class="flex items-center gap-2">
                      <input type="radio" name="provider" value={p} checked={provider === p} onChange={() => setProvider(p)} />
                      {PROVIDER_NAMES[p]}
                    </label>
                  ))}
                </div>
              </fieldset>
            )}
            {problems.form && (
              <p role="alert" class="rounded bg-red-50 px-3 py-2 text-sm text-red-800">
                {problems.form}
              </p>
            )}
            <div class="flex justify-end gap-2">
              <button type="button" class={SECONDARY} onClick={close}>
                {t("pyCancel")}
              </button>
              <button type="submit" class={PRIMARY} disabled={busy || noProvider || !provider}>
                {busy ? t("pyCreating") : t("pyCreate")}
              </button>
            </div>
          </form>
        )}
      </div>
    </dialog>
  );
}

/** The create route's refusal, placed on the field it names or said for the whole form. */
function apiProblems(err: unknown): { amount?: string; description?: string; form?: string } {
  if (!(err instanceof ApiError)) return { form: err instanceof Error ? err.message : String(err) };
  // validation messages start with the field they are about ("amount: must be …")
  const field = /^(\w+):/.exec(err.message)?.[1];
  if (field === "amount") return { amount: t("pyAmountBad") };
  if (field === "description") return { description: t("pyDescriptionBad") };
  const known: Partial<Record<string, Key>> = { not_configured: "pyProviderNotConfigured", upstream: "pyUpstream", forbidden: "pyAgentNeedsContact" };
  const key = known[err.code];
  return { form: key ? `${t(key)} (${err.message})` : err.message };
}
