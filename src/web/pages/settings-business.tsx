/**
 * The business profile the agent uses on the next call: name, greeting, hours, services, FAQ, language, voice,
 * end-of-utterance silence (300–600 ms), phrase hints for the recognizer, transfer number, time zone. An empty
 * optional setting falls back to the server's environment setting.
 */
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { Field, fieldError, Select, TextArea } from "../form.tsx";
import { useApi } from "../hooks.ts";
import { t } from "../i18n.ts";
import { canManage } from "../session.ts";
import type { BusinessSettings } from "../types.ts";
import { Button, Card, ErrorLine, Loading, Notice } from "../ui.tsx";

const VOICES = ["he-IL-Wavenet-A", "he-IL-Wavenet-B", "he-IL-Wavenet-C", "he-IL-Wavenet-D", "he-IL-Standard-A", "he-IL-Standard-B", "en-US-Wavenet-D", "en-US-Wavenet-F", "en-US-Neural2-C", "en-US-Neural2-J"];
const zones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  return intl.supportedValuesOf?.("timeZone") ?? ["Asia/Jerusalem", "UTC"];
};

export function BusinessSettingsForm() {
  const res = useApi<BusinessSettings>("/api/settings/business");
  const [v, setV] = useState<Record<string, string>>();
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const readOnly = !canManage.value;
  useEffect(() => {
    const b = res.data;
    if (!b) return;
    setV({
      name: b.name,
      greeting: b.greeting,
      hours: b.hours,
      services: b.services,
      faq: b.faq,
      language: b.language ?? "",
      ttsVoice: b.ttsVoice ?? "",
      eouSilenceMs: b.eouSilenceMs ? String(b.eouSilenceMs) : "",
      phraseHints: b.phraseHints.join("\n"),
      transferNumber: b.transferNumber ?? "",
      timezone: b.timezone ?? "",
    });
  }, [res.data]);
  if (res.error) return <ErrorLine message={res.error} />;
  if (!v) return <Loading />;
  const set = (k: string) => (x: string) => {
    setSaved(false);
    setV({ ...v, [k]: x });
  };
  const err = (k: string) => fieldError(error, k);

  async function save(e: Event) {
    e.preventDefault();
    if (!v) return;
    setBusy(true);
    try {
      const body = {
        ...v,
        eouSilenceMs: v.eouSilenceMs ? Number(v.eouSilenceMs) : null,
        phraseHints: v.phraseHints!.split("\n").map((s) => s.trim()).filter(Boolean),
      };
      res.set(await api<BusinessSettings>("/api/settings/business", { method: "PUT", body }));
      setError(undefined);
      setSaved(true);
    } catch (e2) {
      setError(e2 instanceof ApiError ? e2 : new ApiError(0, "error", String(e2)));
    } finally {
      setBusy(false);
    }
  }

  const fields = ["name", "greeting", "hours", "services", "faq", "language", "ttsVoice", "eouSilenceMs", "phraseHints", "transferNumber", "timezone"];
  return (
    <form onSubmit={save} noValidate>
      {readOnly && <p class="mb-3 rounded-md bg-slate-100 px-3 py-2 text-sm text-slate-800">{t("readOnlySettings")}</p>}
      <ErrorLine message={error && !fields.some((f) => error.field?.startsWith(f)) ? error.message : undefined} />
      <div class="grid gap-4 lg:grid-cols-2">
        <Card title={t("whatTheAgentSays")}>
          <Field label={t("businessName")} name="name" value={v.name!} onInput={set("name")} disabled={readOnly} error={err("name")} />
          <TextArea label={t("greeting")} name="greeting" value={v.greeting!} onInput={set("greeting")} hint={t("greetingHint")} disabled={readOnly} error={err("greeting")} rows={2} />
          <TextArea label={t("hours")} name="hours" value={v.hours!} onInput={set("hours")} disabled={readOnly} error={err("hours")} rows={2} />
          <TextArea label={t("services")} name="services" value={v.services!} onInput={set("services")} disabled={readOnly} error={err("services")} rows={3} />
          <TextArea label={t("faq")} name="faq" value={v.faq!} onInput={set("faq")} hint={t("faqHint")} disabled={readOnly} error={err("faq")} rows={4} />
        </Card>
        <Card title={t("voiceAndCalls")}>
          <Select
            label={t("agentLanguage")}
            name="language"
            value={v.language!}
            onChange={set("language")}
            disabled={readOnly}
            error={err("language")}
            options={[
              { value: "", label: t("serverDefault") },
              { value: "he-IL", label: "עברית (he-IL)" },
              { value: "en-US", label: "English (en-US)" },
            ]}
          />
          <Select label={t("ttsVoice")} name="ttsVoice" value={v.ttsVoice!} onChange={set("ttsVoice")} disabled={readOnly} error={err("ttsVoice")} options={[{ value: "", label: t("serverDefault") }, ...[...new Set([...VOICES, ...(v.ttsVoice ? [v.ttsVoice] : [])])].map((x) => ({ value: x, label: x }))]} />
          <Field label={t("eouSilence")} name="eouSilenceMs" type="number" min={300} max={600} step={10} dir="ltr" value={v.eouSilenceMs!} onInput={set("eouSilenceMs")} hint={t("eouHint")} disabled={readOnly} error={err("eouSilenceMs")} />
          <TextArea label={t("phraseHints")} name="phraseHints" value={v.phraseHints!} onInput={set("phraseHints")} hint={t("phraseHintsHint")} disabled={readOnly} error={err("phraseHints")} rows={3} />
          <Field label={t("transferNumber")} name="transferNumber" type="tel" value={v.transferNumber!} onInput={set("transferNumber")} hint={t("transferHint")} placeholder="050-123-4567" disabled={readOnly} error={err("transferNumber")} />
          <Select label={t("timezone")} name="timezone" value={v.timezone!} onChange={set("timezone")} disabled={readOnly} error={err("timezone")} options={[{ value: "", label: t("serverDefault") }, ...zones().map((z) => ({ value: z, label: z }))]} />
        </Card>
      </div>
      {!readOnly && (
        <div class="mt-4 flex items-center gap-3">
          <Button type="submit" disabled={busy}>
            {t("save")}
          </Button>
          {saved && <Notice message={t("savedNextCall")} />}
        </div>
      )}
    </form>
  );
}
