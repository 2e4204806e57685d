/** Find a contact by name, email, tag or phone (any form) and pick it: a search box with a list of choices. */
import { useEffect, useId, useState } from "preact/hooks";
import { api, qs } from "../api.ts";
import { t } from "../i18n.ts";
import type { Contact, Page } from "../types.ts";
import { Phone } from "../ui.tsx";

export function ContactPicker(props: { label: string; exclude?: number; value?: Contact; onPick: (c: Contact | undefined) => void }) {
  const [q, setQ] = useState("");
  const [results, setResults] = useState<Contact[]>([]);
  const id = useId();
  useEffect(() => {
    if (q.trim().length < 2) return setResults([]);
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      api<Page<Contact>>(`/api/contacts${qs({ q, limit: 8 })}`, { signal: ctl.signal }).then(
        (r) => setResults(r.items.filter((c) => c.id !== props.exclude)),
        () => undefined,
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [q]);

  if (props.value)
    return (
      <div class="mb-3">
        <div class="mb-1 text-sm font-medium text-slate-800">{props.label}</div>
        <div class="flex items-center justify-between gap-2 rounded-md bg-slate-50 px-3 py-2 ring-1 ring-slate-200">
          <span>
            <span class="font-medium">{props.value.name || props.value.email || "—"}</span> <Phone value={props.value.phone} />
          </span>
          <button type="button" class="text-sm text-indigo-700 underline" onClick={() => props.onPick(undefined)}>
            {t("change")}
          </button>
        </div>
      </div>
    );
  return (
    <div class="mb-3">
      <label for={id} class="mb-1 block text-sm font-medium text-slate-800">
        {props.label}
      </label>
      <input
        id={id}
        type="search"
        dir="auto"
        value={q}
        onInput={(e) => setQ((e.target as HTMLInputElement).value)}
        placeholder={t("searchPlaceholder")}
        aria-describedby={`${id}-results`}
        class="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 shadow-sm placeholder:text-slate-500 focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-600/30"
      />
      <div id={`${id}-results`} aria-live="polite" class="sr-only">
        {q.trim().length >= 2 ? t("nResults", { n: results.length }) : ""}
      </div>
      {results.length > 0 && (
        <ul class="mt-1 max-h-56 overflow-y-auto rounded-md ring-1 ring-slate-200">
          {results.map((c) => (
            <li key={c.id} class="border-b border-slate-100 last:border-0">
              <button type="button" onClick={() => props.onPick(c)} class="flex w-full items-center justify-between gap-2 px-3 py-2 text-start hover:bg-indigo-50 focus-visible:bg-indigo-50 focus-visible:outline-none">
                <span class="font-medium">{c.name || c.email || "—"}</span>
                <span class="text-sm text-slate-600">
                  <Phone value={c.phone} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
