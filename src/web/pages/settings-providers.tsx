/** The providers' state (speech, voice, model, WhatsApp, …) with the reason when one is not ready, and what is configured. */
import { useApi } from "../hooks.ts";
import { t, tOr } from "../i18n.ts";
import { Badge, Card, ErrorLine, Facts, Loading } from "../ui.tsx";

interface Providers {
  ws: string;
  db: string;
  stt: string;
  tts: string;
  llm: string;
  whatsapp: string;
  mode?: string;
  details?: Record<string, string>;
  configured: {
    google: string;
    sttLanguage: string;
    ttsVoice: string;
    llm: { model: string; customBaseUrl: boolean } | null;
    twilio: { signatureCheck: boolean; rest: boolean; whatsappSender: boolean };
    whatsapp: { enabled: boolean };
    payments: { paypal: boolean; tranzila: boolean };
  };
}

const COMPONENTS = ["ws", "db", "stt", "tts", "llm", "whatsapp"] as const;

export function ProvidersStatus() {
  const res = useApi<Providers>("/api/settings/providers");
  const p = res.data;
  if (res.error) return <ErrorLine message={res.error} />;
  if (!p) return <Loading />;
  const yes = (b: boolean) => (b ? t("yes") : t("no"));
  const c = p.configured;
  return (
    <div class="grid gap-4 lg:grid-cols-2">
      <Card title={t("providerState")}>
        <ul class="divide-y divide-slate-100">
          {COMPONENTS.map((k) => (
            <li key={k} class="flex flex-wrap items-start gap-x-3 gap-y-1 py-2.5" data-component={k}>
              <span class="w-36 font-medium text-slate-900">{t(`component_${k}`)}</span>
              <Badge tone={p[k] === "ok" ? "emerald" : p[k] === "err" ? "red" : "amber"}>{tOr(`state_${p[k]}`, p[k])}</Badge>
              {p.details?.[k] && (
                <span class="basis-full text-sm text-slate-700">
                  <bdi dir="ltr">{p.details[k]}</bdi>
                </span>
              )}
            </li>
          ))}
        </ul>
        {p.mode && <p class="mt-3 text-sm text-slate-700">{t("callMode", { mode: tOr(`mode_${p.mode}`, p.mode) })}</p>}
      </Card>
      <Card title={t("configuration")}>
        <Facts
          items={[
            ["Google", <bdi dir="ltr">{c.google}</bdi>],
            [t("sttLanguage"), <bdi dir="ltr">{c.sttLanguage}</bdi>],
            [t("ttsVoice"), <bdi dir="ltr">{c.ttsVoice}</bdi>],
            [t("model"), c.llm ? <bdi dir="ltr">{c.llm.model}</bdi> : t("scriptedDialog")],
            [t("twilioSignatures"), yes(c.twilio.signatureCheck)],
            [t("twilioRest"), yes(c.twilio.rest)],
            ["WhatsApp", c.whatsapp.enabled ? t("enabled") : t("disabled")],
            ["PayPal", yes(c.payments.paypal)],
            ["Tranzila", yes(c.payments.tranzila)],
          ]}
        />
      </Card>
    </div>
  );
}
