/**
 * Merge two contacts that are one person: pick the other one, choose which record stays; everything of the other
 * (calls, messages, tasks, notes, payments, history, numbers) moves to it and the other is removed.
 */
import { useState } from "preact/hooks";
import { displayPhone } from "../format.ts";
import { api, errorText } from "../api.ts";
import { t } from "../i18n.ts";
import type { Contact } from "../types.ts";
import { Button, ErrorLine, Phone } from "../ui.tsx";
import { ContactPicker } from "./contact-picker.tsx";

const label = (c: Contact) => c.name || c.email || displayPhone(c.phone) || `#${c.id}`;

export function MergeForm(props: { contact: Contact; onMerged: (kept: Contact) => void; onCancel: () => void }) {
  const [other, setOther] = useState<Contact>();
  const [keep, setKeep] = useState<"this" | "other">("this");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function merge() {
    if (!other) return;
    const [kept, dropped] = keep === "this" ? [props.contact, other] : [other, props.contact];
    setBusy(true);
    try {
      props.onMerged(await api<Contact>("/api/contacts/merge", { body: { keepId: kept.id, dropId: dropped.id } }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div>
      <p class="mb-3 text-sm text-slate-700">{t("mergeHint")}</p>
      <ContactPicker label={t("mergeWith")} exclude={props.contact.id} value={other} onPick={setOther} />
      {other && (
        <fieldset class="mb-3">
          <legend class="mb-1 text-sm font-medium text-slate-800">{t("whichStays")}</legend>
          {(["this", "other"] as const).map((k) => {
            const c = k === "this" ? props.contact : other;
            return (
              <label key={k} class="mb-1 flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 ring-1 ring-slate-200 has-[:checked]:bg-indigo-50 has-[:checked]:ring-indigo-300">
                <input type="radio" name="keep" value={k} checked={keep === k} onChange={() => setKeep(k)} class="accent-indigo-600" />
                <span class="font-medium">{label(c)}</span>
                <span class="text-sm text-slate-600">
                  <Phone value={c.phone} />
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
      <ErrorLine message={error} />
      <div class="flex justify-end gap-2">
        <Button variant="secondary" onClick={props.onCancel}>
          {t("cancel")}
        </Button>
        <Button variant="danger" disabled={!other || busy} onClick={merge}>
          {t("merge")}
        </Button>
      </div>
    </div>
  );
}
