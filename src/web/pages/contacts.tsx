/**
 * Contacts: search (name, email, tag, or a phone number in any form: 050-123-4567, 0501234567, +972 50 123 4567),
 * filters, a paged table, a new-contact form, CSV export of the filtered list (Hebrew or English headers) and
 * CSV import with its per-row report. The pipeline board is the same list by status.
 */
import { Download, KanbanSquare, Plus, Upload } from "lucide-preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { qs } from "../api.ts";
import { Dialog } from "../components/dialog.tsx";
import { TabLinks } from "../components/tabs.tsx";
import { relative } from "../format.ts";
import { useApi, useLiveReload } from "../hooks.ts";
import { lang, t } from "../i18n.ts";
import { canManage } from "../session.ts";
import type { Contact, Page } from "../types.ts";
import { Badge, Button, buttonClass, Card, Empty, ErrorLine, Loading, PageHeader, Pager, Phone, StatusBadge } from "../ui.tsx";
import { userName, useUsers } from "../users.ts";
import { ContactFilters, contactFilter } from "./contact-filters.tsx";
import { ContactForm } from "./contact-form.tsx";
import { ImportForm } from "./contact-import.tsx";

export function ContactsTabs(props: { board: boolean }) {
  const { query } = useLocation();
  const keep = qs({ q: query.q, tag: query.tag, owner: query.owner, last: query.last });
  return (
    <TabLinks
      label={t("contactViews")}
      items={[
        { href: `/app/admin/contacts${keep}`, label: t("table"), active: !props.board },
        { href: `/app/admin/contacts/board${keep}`, label: t("pipeline"), active: props.board, icon: <KanbanSquare size={16} aria-hidden="true" /> },
      ]}
    />
  );
}

export function ContactsHeader(props: { onChanged: () => void }) {
  const { query, route } = useLocation();
  const [creating, setCreating] = useState(false);
  const [importing, setImporting] = useState(false);
  const exportHref = `/api/contacts.csv${qs({ ...contactFilter(query), lang: lang.value })}`;
  return (
    <>
      <PageHeader
        title={t("contacts")}
        actions={
          <>
            <a href={exportHref} download class={buttonClass("secondary", true)}>
              <Download size={16} aria-hidden="true" />
              {t("exportCsv")}
            </a>
            {canManage.value && (
              <Button variant="secondary" small onClick={() => setImporting(true)}>
                <Upload size={16} aria-hidden="true" />
                {t("importCsv")}
              </Button>
            )}
            <Button small onClick={() => setCreating(true)}>
              <Plus size={16} aria-hidden="true" />
              {t("newContact")}
            </Button>
          </>
        }
      />
      <Dialog open={creating} title={t("newContact")} onClose={() => setCreating(false)} wide>
        <ContactForm onCancel={() => setCreating(false)} onSaved={(c) => route(`/app/admin/contacts/${c.id}`)} />
      </Dialog>
      <Dialog open={importing} title={t("importCsv")} onClose={() => setImporting(false)} wide>
        <ImportForm onImported={props.onChanged} />
      </Dialog>
    </>
  );
}

export function ContactsPage() {
  const { path, query, route } = useLocation();
  const page = Math.max(1, Number(query.page) || 1);
  const sort = query.sort === "createdAt" || query.sort === "name" ? query.sort : "lastContactAt";
  const list = useApi<Page<Contact>>(`/api/contacts${qs({ ...contactFilter(query), sort, order: sort === "name" ? "asc" : "desc", page, limit: 25 })}`);
  useLiveReload(["lead.saved", "call.started", "message.in"], list.reload);
  const users = useUsers();
  const data = list.data;
  const showOwner = canManage.value;

  return (
    <>
      <ContactsHeader onChanged={list.reload} />
      <ContactsTabs board={false} />
      <Card>
        <ContactFilters />
        <ErrorLine message={list.error} />
        {!data ? (
          !list.error && <Loading />
        ) : data.items.length === 0 ? (
          <Empty>{query.q || query.status || query.tag || query.owner || query.last ? t("noMatches") : t("noContacts")}</Empty>
        ) : (
          <>
            <p class="mb-1 text-sm text-slate-600" role="status">
              {t("nContacts", { n: data.total })}
            </p>
            <table class="w-full text-sm">
              <caption class="sr-only">{t("contacts")}</caption>
              <thead class="text-slate-600">
                <tr class="border-b border-slate-200">
                  <th scope="col" class="py-2 text-start font-medium">
                    {t("name")}
                  </th>
                  <th scope="col" class="hidden py-2 text-start font-medium sm:table-cell">
                    {t("phone")}
                  </th>
                  <th scope="col" class="py-2 text-start font-medium">
                    {t("stage")}
                  </th>
                  <th scope="col" class="hidden py-2 text-start font-medium md:table-cell">
                    {t("tags")}
                  </th>
                  {showOwner && (
                    <th scope="col" class="hidden py-2 text-start font-medium lg:table-cell">
                      {t("owner")}
                    </th>
                  )}
                  <th scope="col" class="hidden py-2 text-start font-medium sm:table-cell">
                    {t("lastContact")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((c) => (
                  <tr key={c.id} class="border-b border-slate-100 last:border-0 hover:bg-slate-50">
                    <td class="py-2.5 pe-2">
                      <a href={`/app/admin/contacts/${c.id}`} class="font-medium text-indigo-700 hover:underline">
                        {c.name || c.email || <Phone value={c.phone} />}
                      </a>
                      <div class="text-xs text-slate-600 sm:hidden">
                        <Phone value={c.phone} />
                      </div>
                    </td>
                    <td class="hidden py-2.5 pe-2 sm:table-cell">
                      <Phone value={c.phone} />
                    </td>
                    <td class="py-2.5 pe-2">
                      <StatusBadge status={c.status} />
                    </td>
                    <td class="hidden py-2.5 pe-2 md:table-cell">
                      <div class="flex flex-wrap gap-1">
                        {c.tags.map((tag) => (
                          <Badge key={tag}>{tag}</Badge>
                        ))}
                      </div>
                    </td>
                    {showOwner && <td class="hidden py-2.5 pe-2 lg:table-cell">{c.ownerId ? userName(users.find((u) => u.id === c.ownerId)) : t("unassigned")}</td>}
                    <td class="hidden py-2.5 text-slate-700 sm:table-cell">{c.lastContactAt ? relative(c.lastContactAt) : t("never")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager page={data.page} total={data.total} limit={data.limit} onPage={(p) => route(`${path}${qs({ ...query, page: p })}`, true)} />
          </>
        )}
      </Card>
    </>
  );
}
