/**
 * What the agent may send on WhatsApp from a call: the business's details message, the post-call summary (off by
 * default), payment links (provider, currency, the most one link may ask for — typed in shekels or dollars, kept
 * in minor units — and an optional fixed description). Warns when the server cannot do what is switched on.
 */
import { fieldError, Checkbox, Field, Select, TextArea } from "../form.tsx";
import { useApi } from "../hooks.ts";
import { t } from "../i18n.ts";
import { fromDecimal, toDecimal } from "../../payments/money.ts";
import type { PaymentLinkSettings } from "../types.ts";
import { Card } from "../ui.tsx";
import type { Providers } from "./settings-providers.tsx";

/** The form's state: the maximum as typed (major units). */
export interface FromCalls {
  whatsappDetails: string;
  postCallSummary: boolean;
  links: Omit<PaymentLinkSettings, "maxAmount" | "description"> & { maxAmount: string; description: string };
}

export function fromCallsOf(b: { whatsappDetails: string; postCallSummary: boolean; paymentLinks: PaymentLinkSettings }): FromCalls {
  const l = b.paymentLinks;
  return {
    whatsappDetails: b.whatsappDetails,
    postCallSummary: b.postCallSummary,
    links: { enabled: l.enabled, provider: l.provider, currency: l.currency, maxAmount: l.maxAmount === undefined ? "" : toDecimal(l.maxAmount, l.currency), description: l.description ?? "" },
  };
}

/** The API's body for these settings, or the field at fault when the maximum is not an amount. */
export function fromCallsBody(x: FromCalls): { body: Record<string, unknown> } | { field: string; message: string } {
  const typed = x.links.maxAmount.trim().replace(/,/g, "");
  const maxAmount = typed ? fromDecimal(typed, x.links.currency) : null;
  if (maxAmount === undefined || maxAmount === 0) return { field: "paymentLinks.maxAmount", message: t("amountInvalid") };
  return {
    body: {
      whatsappDetails: x.whatsappDetails,
      postCallSummary: x.postCallSummary,
      paymentLinks: { enabled: x.links.enabled, provider: x.links.provider, currency: x.links.currency, maxAmount, description: x.links.description },
    },
  };
}

export function FromCallsCard(props: { value: FromCalls; onChange: (v: FromCalls) => void; readOnly: boolean; error?: { field?: string; message: string } }) {
  const { value: x, readOnly } = props;
  const providers = useApi<Providers>("/api/settings/providers").data?.configured;
  const err = (k: string) => fieldError(props.error, k);
  const links = (patch: Partial<FromCalls["links"]>) => props.onChange({ ...x, links: { ...x.links, ...patch } });
  const noChannel = providers && !providers.whatsapp.enabled && !providers.twilio.whatsappSender;
  const wantsWhatsapp = x.postCallSummary || x.links.enabled;
  const providerName = x.links.provider === "paypal" ? "PayPal" : "Tranzila";
  return (
    <Card title={t("fromCalls")} id="from-calls">
      <TextArea label={t("whatsappDetails")} name="whatsappDetails" value={x.whatsappDetails} onInput={(v) => props.onChange({ ...x, whatsappDetails: v })} hint={t("whatsappDetailsHint")} disabled={readOnly} error={err("whatsappDetails")} rows={3} />
      <div class="mb-3">
        <Checkbox label={t("postCallSummary")} name="postCallSummary" checked={x.postCallSummary} onChange={(v) => props.onChange({ ...x, postCallSummary: v })} disabled={readOnly} />
        <p class="mt-1 text-xs text-slate-600">{t("postCallSummaryHint")}</p>
      </div>
      <div class="mb-3">
        <Checkbox label={t("paymentLinksEnabled")} name="paymentLinks.enabled" checked={x.links.enabled} onChange={(v) => links({ enabled: v })} disabled={readOnly} />
      </div>
      {x.links.enabled && (
        <div class="grid gap-x-4 sm:grid-cols-2">
          <Select
            label={t("paymentProvider")}
            name="paymentLinks.provider"
            value={x.links.provider}
            onChange={(v) => links({ provider: v === "tranzila" ? "tranzila" : "paypal" })}
            disabled={readOnly}
            error={err("paymentLinks.provider")}
            options={[
              { value: "paypal", label: "PayPal" },
              { value: "tranzila", label: "Tranzila" },
            ]}
          />
          <Select
            label={t("currency")}
            name="paymentLinks.currency"
            value={x.links.currency}
            onChange={(v) => links({ currency: v === "USD" ? "USD" : "ILS" })}
            disabled={readOnly}
            error={err("paymentLinks.currency")}
            options={[
              { value: "ILS", label: "₪ ILS" },
              { value: "USD", label: "$ USD" },
            ]}
          />
          <Field
            label={t("maxAmount")}
            name="paymentLinks.maxAmount"
            value={x.links.maxAmount}
            onInput={(v) => links({ maxAmount: v })}
            inputMode="numeric"
            dir="ltr"
            placeholder="1500"
            hint={t("maxAmountHint")}
            disabled={readOnly}
            error={err("paymentLinks.maxAmount")}
          />
          <Field label={t("linkDescription")} name="paymentLinks.description" value={x.links.description} onInput={(v) => links({ description: v })} hint={t("linkDescriptionHint")} disabled={readOnly} error={err("paymentLinks.description")} />
        </div>
      )}
      {x.links.enabled && providers && !providers.payments[x.links.provider] && (
        <p class="mb-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-warning="provider">
          {t("providerNotConfigured", { provider: providerName })}
        </p>
      )}
      {wantsWhatsapp && noChannel && (
        <p class="mb-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" data-warning="whatsapp">
          {t("noWhatsappChannel")}
        </p>
      )}
    </Card>
  );
}
