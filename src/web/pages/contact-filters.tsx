/**
 * The contacts' search and filters, kept in the page address (so a filtered list is a link): `q` (name, email, tag
 * or a phone number in any form), `status`, `tag`, `owner` (me, none or a user), `last` (last contact: today, 7d,
 * 30d, older30, never), `sort`. Shared by the table and the pipeline board.
 */
import { Search } from "lucide-preact";
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { qs } from "../api.ts";
import { Select } from "../form.tsx";
import { useApi } from "../hooks.ts";
import { t } from "../i18n.ts";
import { canManage } from "../session.ts";
import { STATUSES } from "../types.ts";
import { userName, useUsers } from "../users.ts";

export const LAST_CONTACT = ["any", "today", "7d", "30d", "older30", "never"] as const;

/** The API's query parameters for the page's filters. */
export function contactFilter(query: Record<string, string>, withStatus = true): Record<string, string | undefined> {
  const day = 86400_000;
  const startOfToday = new Date();
  startOfToday.setHours(0, 0, 0, 0);
  const last = query.last;
  return {
    q: query.q,
    status: withStatus ? query.status : undefined,
    tag: query.tag,
    ownerId: query.owner,
    lastContactAfter: last === "today" ? startOfToday.toISOString() : last === "7d" ? new Date(Date.now() - 7 * day).toISOString() : last === "30d" ? new Date(Date.now() - 30 * day).toISOString() : undefined,
    lastContactBefore: last === "older30" ? new Date(Date.now() - 30 * day).toISOString() : undefined,
    neverContacted: last === "never" ? "true" : undefined,
  };
}

export function ContactFilters(props: { board?: boolean }) {
  const { path, query, route } = useLocation();
  const [q, setQ] = useState(query.q ?? "");
  const tags = useApi<{ tags: Array<{ tag: string; count: number }> }>("/api/contacts/tags");
  const users = useUsers();
  const set = (k: string, v: string) => route(`${path}${qs({ ...query, [k]: v === "any" ? "" : v, page: "" })}`, true);
  // typing searches after a short pause (and keeps the address in step)
  useEffect(() => {
    if ((query.q ?? "") === q) return;
    const id = setTimeout(() => set("q", q), 300);
    return () => clearTimeout(id);
  }, [q]);

  return (
    <div role="search" aria-label={t("searchContacts")} class="mb-2">
      <div class="relative mb-3">
        <label for="contact-search" class="sr-only">
          {t("searchContacts")}
        </label>
        <Search size={18} aria-hidden="true" class="pointer-events-none absolute start-3 top-1/2 -translate-y-1/2 text-slate-500" />
        <input
          id="contact-search"
          type="search"
          name="q"
          dir="auto"
          value={q}
          onInput={(e) => setQ((e.target as HTMLInputElement).value)}
          placeholder={t("searchPlaceholder")}
          class="block w-full rounded-md border border-slate-300 bg-white px-10 py-2 text-slate-900 shadow-sm placeholder:text-slate-500 focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-600/30"
        />
      </div>
      <div class={`grid grid-cols-2 gap-x-3 ${props.board ? "sm:grid-cols-3" : "sm:grid-cols-4"}`}>
        {!props.board && (
          <Select label={t("stage")} value={query.status ?? "any"} onChange={(v) => set("status", v)} options={[{ value: "any", label: t("any") }, ...STATUSES.map((s) => ({ value: s, label: t(`status_${s}`) }))]} />
        )}
        <Select label={t("tag")} value={query.tag ?? "any"} onChange={(v) => set("tag", v)} options={[{ value: "any", label: t("any") }, ...(tags.data?.tags ?? []).map((x) => ({ value: x.tag, label: `${x.tag} (${x.count})` }))]} />
        <Select
          label={t("owner")}
          value={query.owner ?? "any"}
          onChange={(v) => set("owner", v)}
          options={[
            { value: "any", label: t("any") },
            { value: "me", label: t("mine") },
            ...(canManage.value ? [{ value: "none", label: t("unassigned") }, ...users.map((u) => ({ value: String(u.id), label: userName(u) }))] : []),
          ]}
        />
        <Select label={t("lastContact")} value={query.last ?? "any"} onChange={(v) => set("last", v)} options={LAST_CONTACT.map((l) => ({ value: l, label: t(`last_${l}`) }))} />
      </div>
    </div>
  );
}
