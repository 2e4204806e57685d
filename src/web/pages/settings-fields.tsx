/**
 * The contacts' custom fields: key (latin letters, digits, _), Hebrew and English labels, type (text, number,
 * date, select with its options), required or not, in display order. Saved together; the API names the row and
 * property at fault.
 */
import { ArrowDown, ArrowUp, Plus, Trash2 } from "lucide-preact";
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { Checkbox, Field, Select } from "../form.tsx";
import { useApi } from "../hooks.ts";
import { t } from "../i18n.ts";
import { canManage } from "../session.ts";
import type { FieldDefinition } from "../types.ts";
import { Button, Card, Empty, ErrorLine, Loading, Notice } from "../ui.tsx";

interface Row {
  key: string;
  he: string;
  en: string;
  type: FieldDefinition["type"];
  options: string;
  required: boolean;
}

const toRow = (d: FieldDefinition): Row => ({ key: d.key, he: d.label.he ?? "", en: d.label.en ?? "", type: d.type, options: (d.options ?? []).join(", "), required: d.required });
const toDef = (r: Row): FieldDefinition => ({
  key: r.key.trim(),
  label: { ...(r.he.trim() ? { he: r.he.trim() } : {}), ...(r.en.trim() ? { en: r.en.trim() } : {}) },
  type: r.type,
  ...(r.type === "select" ? { options: r.options.split(",").map((s) => s.trim()).filter(Boolean) } : {}),
  required: r.required,
});

export function FieldsEditor() {
  const res = useApi<{ fields: FieldDefinition[] }>("/api/settings/contact-fields");
  const [rows, setRows] = useState<Row[]>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const readOnly = !canManage.value;
  useEffect(() => {
    if (res.data) setRows(res.data.fields.map(toRow));
  }, [res.data]);
  if (res.error) return <ErrorLine message={res.error} />;
  if (!rows) return <Loading />;
  const update = (i: number, patch: Partial<Row>) => {
    setSaved(false);
    setRows(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  };
  const moveRow = (i: number, d: -1 | 1) => {
    const next = [...rows];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    setRows(next);
  };

  async function save() {
    try {
      const r = await api<{ fields: FieldDefinition[] }>("/api/settings/contact-fields", { method: "PUT", body: { fields: rows!.map(toDef) } });
      setRows(r.fields.map(toRow));
      setError(undefined);
      setSaved(true);
    } catch (e) {
      // "fields.2.key: …" → "Field 3 — key: …"
      const m = e instanceof ApiError ? e.message.match(/^fields\.(\d+)\.?([\w.]*): (.*)$/) : null;
      setError(m ? t("fieldRowError", { n: Number(m[1]) + 1, what: m[2] || "", problem: m[3]! }) : e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <Card title={t("customFields")}>
      <p class="mb-3 text-sm text-slate-700">{t("customFieldsHint")}</p>
      <ErrorLine message={error} />
      {rows.length === 0 && <Empty>{t("noCustomFields")}</Empty>}
      <ol class="space-y-3">
        {rows.map((r, i) => (
          <li key={i} class="rounded-md p-3 ring-1 ring-slate-200">
            <fieldset disabled={readOnly}>
              <legend class="sr-only">{t("fieldN", { n: i + 1 })}</legend>
              <div class="grid gap-x-3 sm:grid-cols-2 lg:grid-cols-4">
                <Field label={t("fieldKey")} name={`key-${i}`} value={r.key} onInput={(v) => update(i, { key: v })} dir="ltr" hint={t("fieldKeyHint")} />
                <Field label={t("labelHe")} name={`he-${i}`} value={r.he} onInput={(v) => update(i, { he: v })} />
                <Field label={t("labelEn")} name={`en-${i}`} value={r.en} onInput={(v) => update(i, { en: v })} dir="ltr" />
                <Select
                  label={t("fieldType")}
                  name={`type-${i}`}
                  value={r.type}
                  onChange={(v) => update(i, { type: v as Row["type"] })}
                  options={(["text", "number", "date", "select"] as const).map((x) => ({ value: x, label: t(`type_${x}`) }))}
                />
              </div>
              {r.type === "select" && <Field label={t("fieldOptions")} name={`options-${i}`} value={r.options} onInput={(v) => update(i, { options: v })} hint={t("fieldOptionsHint")} />}
              <div class="flex flex-wrap items-center gap-2">
                <Checkbox label={t("required")} checked={r.required} onChange={(v) => update(i, { required: v })} />
                {!readOnly && (
                  <span class="ms-auto flex gap-1">
                    <Button small variant="ghost" label={t("moveUp")} disabled={i === 0} onClick={() => moveRow(i, -1)}>
                      <ArrowUp size={16} aria-hidden="true" />
                    </Button>
                    <Button small variant="ghost" label={t("moveDown")} disabled={i === rows.length - 1} onClick={() => moveRow(i, 1)}>
                      <ArrowDown size={16} aria-hidden="true" />
                    </Button>
                    <Button small variant="danger" label={t("removeField", { n: i + 1 })} onClick={() => setRows(rows.filter((_, k) => k !== i))}>
                      <Trash2 size={16} aria-hidden="true" />
                    </Button>
                  </span>
                )}
              </div>
            </fieldset>
          </li>
        ))}
      </ol>
      {!readOnly && (
        <div class="mt-4 flex flex-wrap items-center gap-2">
          <Button variant="secondary" onClick={() => setRows([...rows, { key: "", he: "", en: "", type: "text", options: "", required: false }])}>
            <Plus size={16} aria-hidden="true" />
            {t("addField")}
          </Button>
          <Button onClick={save}>{t("save")}</Button>
          {saved && <Notice message={t("saved")} />}
        </div>
      )}
    </Card>
  );
}
