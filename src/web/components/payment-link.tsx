/**
 * The payment-link dialog, used from a contact's page, the inbox thread and the payments page: amount typed as a
 * decimal and sent as integer minor units, ILS or USD, one of the configured providers, a description; the contact
 * given, or picked by search. Once the provider has made the link: copy / share it, open it, and — when a WhatsApp
 * channel is working and there is a contact — send it on WhatsApp through the same send route as the inbox.
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { displayPhone } from "../format.ts";
import { t, type Key } from "../i18n.ts";
import { ContactPicker } from "../pages/contact-picker.tsx";
import type { Contact } from "../types.ts";
import { buttonClass } from "../ui.tsx";
import { Dialog } from "./dialog.tsx";
import { CURRENCIES, formatMoney, parseAmount, type Currency } from "./money.ts";
import { ShareLinkButtons } from "./share-link.tsx";
import { WhatsappProblemAlert } from "./whatsapp-problem.tsx";

/** What the dialog needs of a contact. */
export type ContactRef = Pick<Contact, "id" | "name" | "phone">;

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
const INPUT = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 shadow-sm focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-600/30";

export const contactLabel = (c: ContactRef) => c.name || (c.phone ? displayPhone(c.phone) : `#${c.id}`);

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

export function PaymentLinkDialog(props: { contact?: ContactRef; onClose: () => void; onCreated?: (p: PaymentView) => void }) {
  const { providers, whatsapp } = useChannels();
  const [picked, setPicked] = useState<Contact>();
  const contact: ContactRef | undefined = props.contact ?? picked;
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

  const noProvider = providers !== undefined && providers.length === 0;

  return (
    <Dialog open title={`${created ? t("pyReady") : t("pyLink")}${contact ? ` · ${contactLabel(contact)}` : ""}`} onClose={props.onClose}>
      <div>
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
                <button type="button" class={buttonClass("primary")} disabled={sent !== "no"} onClick={sendOnWhatsapp}>
                  {sent === "sent" ? t("pySentWhatsapp") : sent === "sending" ? t("ibSending") : t("pySendWhatsapp")}
                </button>
                {sent === "sent" && <span role="status" class="sr-only">{t("pySentWhatsapp")}</span>}
              </div>
            )}
            {sendProblem !== undefined && <WhatsappProblemAlert source={sendProblem} />}
          </div>
        ) : (
          <form class="space-y-4" onSubmit={create} noValidate>
            {noProvider && (
              <p role="alert" class="rounded bg-amber-50 px-3 py-2 text-sm text-amber-900">
                {t("pyProviderNone")}
              </p>
            )}
            {!props.contact && <ContactPicker label={t("pySearchContact")} value={picked} onPick={setPicked} />}
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
              <button type="button" class={buttonClass("secondary")} onClick={props.onClose}>
                {t("cancel")}
              </button>
              <button type="submit" class={buttonClass("primary")} disabled={busy || noProvider || !provider}>
                {busy ? t("pyCreating") : t("pyCreate")}
              </button>
            </div>
          </form>
        )}
      </div>
    </Dialog>
  );
}

/** The create route's refusal, placed on the field it names or said for the whole form. */
function apiProblems(err: unknown): { amount?: string; description?: string; form?: string } {
  if (!(err instanceof ApiError)) return { form: err instanceof Error ? err.message : String(err) };
  const field = err.field;
  if (field === "amount") return { amount: t("pyAmountBad") };
  if (field === "description") return { description: t("pyDescriptionBad") };
  const known: Partial<Record<string, Key>> = { not_configured: "pyProviderNotConfigured", upstream: "pyUpstream", forbidden: "pyAgentNeedsContact" };
  const key = known[err.code];
  return { form: key ? `${t(key)} (${err.message})` : err.message };
}
