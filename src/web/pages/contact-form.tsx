/**
 * Create or edit a contact: name, phone (any form — stored E.164), email, status, owner, tags, what they need,
 * area, budget, notes, and the custom fields defined in the settings (text, number, date, select; required ones
 * marked). The API's error names the field, which shows under it.
 */
import { useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { Field, fieldError, Select, TextArea } from "../form.tsx";
import { useApi } from "../hooks.ts";
import { lang, t } from "../i18n.ts";
import { canManage, me } from "../session.ts";
import { STATUSES, type Contact, type FieldDefinition } from "../types.ts";
import { Button, ErrorLine } from "../ui.tsx";
import { userName, useUsers } from "../users.ts";

export const fieldLabel = (f: FieldDefinition) => (lang.value === "he" ? f.label.he || f.label.en : f.label.en || f.label.he) ?? f.key;

/** Tags typed as "vip, north" → ["vip", "north"]. */
export const parseTags = (s: string) => [...new Set(s.split(/[,;]/).map((x) => x.trim().toLowerCase()).filter(Boolean))];

export function ContactForm(props: { contact?: Contact; onSaved: (c: Contact) => void; onCancel: () => void }) {
  const c = props.contact;
  const defs = useApi<{ fields: FieldDefinition[] }>("/api/settings/contact-fields").data?.fields ?? [];
  const users = useUsers();
  const [v, setV] = useState({
    name: c?.name ?? "",
    phone: c?.phone ?? "",
    email: c?.email ?? "",
    status: c?.status ?? "new",
    ownerId: c ? String(c.ownerId ?? "") : String(me.value?.id ?? ""),
    tags: (c?.tags ?? []).join(", "),
    need: c?.need ?? "",
    area: c?.area ?? "",
    budget: c?.budget ?? "",
    notes: c?.notes ?? "",
  });
  const [fields, setFields] = useState<Record<string, string>>(Object.fromEntries(Object.entries(c?.fields ?? {}).map(([k, x]) => [k, x == null ? "" : String(x)])));
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    const values: Record<string, string | number | null> = {};
    for (const d of defs) {
      const raw = (fields[d.key] ?? "").trim();
      if (raw === "" && c?.fields[d.key] === undefined) continue;
      values[d.key] = raw === "" ? null : d.type === "number" && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    }
    const body = {
      name: v.name,
      phone: v.phone,
      email: v.email,
      status: v.status,
      tags: parseTags(v.tags),
      need: v.need,
      area: v.area,
      budget: v.budget,
      notes: v.notes,
      fields: values,
      ...(canManage.value ? { ownerId: v.ownerId ? Number(v.ownerId) : null } : {}),
    };
    try {
      const saved = c ? await api<Contact>(`/api/contacts/${c.id}`, { method: "PATCH", body }) : await api<Contact>("/api/contacts", { body });
      props.onSaved(saved);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "error", String(err)));
    } finally {
      setBusy(false);
    }
  }

  const known = ["name", "phone", "email", "status", "ownerId", "tags", "need", "area", "budget", "notes"];
  const general = error && !known.includes(error.field ?? "") && !error.field?.startsWith("fields.") ? error.message : undefined;
  return (
    <form onSubmit={submit} noValidate>
      <ErrorLine message={general} />
      <div class="grid gap-x-3 sm:grid-cols-2">
        <Field label={t("name")} name="name" value={v.name} onInput={set("name")} error={fieldError(error, "name")} autocomplete="off" />
        <Field label={t("phone")} name="phone" type="tel" value={v.phone} onInput={set("phone")} error={fieldError(error, "phone")} placeholder="050-123-4567" autocomplete="off" />
        <Field label={t("email")} name="email" type="email" value={v.email} onInput={set("email")} error={fieldError(error, "email")} autocomplete="off" />
        <Select label={t("stage")} name="status" value={v.status} onChange={set("status")} options={STATUSES.map((s) => ({ value: s, label: t(`status_${s}`) }))} />
        {canManage.value && (
          <Select label={t("owner")} name="ownerId" value={v.ownerId} onChange={set("ownerId")} error={fieldError(error, "ownerId")} options={[{ value: "", label: t("unassigned") }, ...users.filter((u) => u.active).map((u) => ({ value: String(u.id), label: userName(u) }))]} />
        )}
        <Field label={t("tags")} name="tags" value={v.tags} onInput={set("tags")} hint={t("tagsHint")} error={fieldError(error, "tags")} />
        <Field label={t("need")} name="need" value={v.need} onInput={set("need")} />
        <Field label={t("area")} name="area" value={v.area} onInput={set("area")} />
        <Field label={t("budget")} name="budget" value={v.budget} onInput={set("budget")} />
      </div>
      {defs.length > 0 && (
        <fieldset class="mt-1 grid gap-x-3 border-t border-slate-200 pt-3 sm:grid-cols-2">
          <legend class="mb-2 text-sm font-semibold text-slate-800">{t("customFields")}</legend>
          {defs.map((d) => {
            const common = { label: fieldLabel(d), name: `fields.${d.key}`, required: d.required, error: fieldError(error, `fields.${d.key}`) };
            const value = fields[d.key] ?? "";
            const onInput = (x: string) => setFields({ ...fields, [d.key]: x });
            return d.type === "select" ? (
              <Select key={d.key} {...common} value={value} onChange={onInput} options={[{ value: "", label: "—" }, ...(d.options ?? []).map((o) => ({ value: o, label: o }))]} />
            ) : (
              <Field key={d.key} {...common} type={d.type === "number" ? "text" : d.type === "date" ? "date" : "text"} inputMode={d.type === "number" ? "numeric" : undefined} value={value} onInput={onInput} />
            );
          })}
        </fieldset>
      )}
      <TextArea label={t("notes")} name="notes" value={v.notes} onInput={set("notes")} rows={3} />
      <div class="flex justify-end gap-2">
        <Button variant="secondary" onClick={props.onCancel}>
          {t("cancel")}
        </Button>
        <Button type="submit" disabled={busy}>
          {c ? t("save") : t("create")}
        </Button>
      </div>
    </form>
  );
}
