/**
 * One contact: who they are (phone always left to right), pipeline status and owner changed in place, the actions
 * row (call; the WhatsApp and payment-link actions join it), details and custom fields, open tasks with a quick
 * add, notes, the timeline of everything that happened, and edit / merge / delete.
 */
import { ArrowLeft, Combine, Pencil, Trash2 } from "lucide-preact";
import { useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import { api, errorText } from "../api.ts";
import { ContactActions } from "../components/contact-actions.tsx";
import { Dialog } from "../components/dialog.tsx";
import { Select } from "../form.tsx";
import { dateOnly, displayPhone, relative } from "../format.ts";
import { useApi, useLiveReload } from "../hooks.ts";
import { t, tOr } from "../i18n.ts";
import { canManage } from "../session.ts";
import { STATUSES, type Contact, type FieldDefinition } from "../types.ts";
import { Badge, Button, Card, ErrorLine, Facts, Loading, PageHeader, Phone } from "../ui.tsx";
import { userName, useUsers } from "../users.ts";
import { ContactForm, fieldLabel } from "./contact-form.tsx";
import { MergeForm } from "./contact-merge.tsx";
import { Notes } from "./contact-notes.tsx";
import { ContactTasks } from "./contact-tasks.tsx";
import { Timeline } from "./contact-timeline.tsx";

export function ContactPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const id = Number(params.id);
  const res = useApi<Contact>(Number.isSafeInteger(id) ? `/api/contacts/${id}` : null);
  const defs = useApi<{ fields: FieldDefinition[] }>("/api/settings/contact-fields").data?.fields ?? [];
  const users = useUsers();
  const [editing, setEditing] = useState(false);
  const [merging, setMerging] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState<string>();
  const [version, setVersion] = useState(0);
  useLiveReload(["lead.saved"], res.reload, (e) => e.contactId === id);
  const bump = () => setVersion((v) => v + 1);
  const c = res.data;

  if (res.error)
    return (
      <>
        <PageHeader title={t("contact")} />
        <ErrorLine message={res.error} />
        <a href="/app/admin/contacts" class="text-indigo-700 underline">
          {t("allContactsBack")}
        </a>
      </>
    );
  if (!c) return <Loading />;

  const patch = async (body: Partial<Contact>) => {
    try {
      res.set(await api<Contact>(`/api/contacts/${c.id}`, { method: "PATCH", body }));
      setError(undefined);
      bump();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const remove = async () => {
    try {
      await api(`/api/contacts/${c.id}`, { method: "DELETE" });
      route("/app/admin/contacts");
    } catch (e) {
      setError(errorText(e));
    }
  };
  const title = c.name || c.email || displayPhone(c.phone) || `#${c.id}`;
  const custom = defs.map((d) => [fieldLabel(d), c.fields[d.key] == null || c.fields[d.key] === "" ? "—" : String(c.fields[d.key])] as [string, string]);

  return (
    <>
      <a href="/app/admin/contacts" class="mb-2 inline-flex items-center gap-1 text-sm text-indigo-700 hover:underline">
        <ArrowLeft size={16} aria-hidden="true" class="rtl:-scale-x-100" />
        {t("allContactsBack")}
      </a>
      <PageHeader
        title={title}
        actions={
          <>
            <Button small variant="secondary" onClick={() => setEditing(true)}>
              <Pencil size={16} aria-hidden="true" />
              {t("edit")}
            </Button>
            <Button small variant="secondary" onClick={() => setMerging(true)}>
              <Combine size={16} aria-hidden="true" />
              {t("merge")}
            </Button>
            {canManage.value && (
              <Button small variant="danger" onClick={() => setDeleting(true)}>
                <Trash2 size={16} aria-hidden="true" />
                {t("delete")}
              </Button>
            )}
          </>
        }
      >
        <p class="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-700">
          {c.phone && <Phone value={c.phone} link />}
          {c.email && (
            <a href={`mailto:${c.email}`} dir="ltr" class="text-indigo-700 hover:underline">
              {c.email}
            </a>
          )}
          {c.tags.map((tag) => (
            <Badge key={tag}>{tag}</Badge>
          ))}
        </p>
      </PageHeader>
      <div class="mb-4">
        <ContactActions contact={c} />
      </div>
      <ErrorLine message={error} />

      <div class="grid gap-4 lg:grid-cols-3">
        <div class="space-y-4 lg:col-start-3 lg:row-start-1">
          <Card title={t("pipelineAndOwner")}>
            <Select label={t("stage")} name="status" value={c.status} onChange={(v) => patch({ status: v as Contact["status"] })} options={STATUSES.map((s) => ({ value: s, label: t(`status_${s}`) }))} />
            {canManage.value ? (
              <Select
                label={t("owner")}
                name="owner"
                value={String(c.ownerId ?? "")}
                onChange={(v) => patch({ ownerId: v ? Number(v) : null })}
                options={[{ value: "", label: t("unassigned") }, ...users.filter((u) => u.active || u.id === c.ownerId).map((u) => ({ value: String(u.id), label: userName(u) }))]}
              />
            ) : (
              <p class="text-sm text-slate-700">
                {t("owner")}: {userName(users.find((u) => u.id === c.ownerId))}
              </p>
            )}
          </Card>
          <Card title={t("details")}>
            <Facts
              items={[
                [t("need"), c.need],
                [t("area"), c.area],
                [t("budget"), c.budget],
                [t("source"), c.source ? tOr(`source_${c.source}`, c.source) : null],
                [t("created"), dateOnly(c.createdAt)],
                [t("lastContact"), c.lastContactAt ? relative(c.lastContactAt) : t("never")],
                ...custom,
              ]}
            />
            {c.notes && <p class="mt-3 whitespace-pre-wrap rounded-md bg-slate-50 p-2 text-sm text-slate-800">{c.notes}</p>}
            {c.identities && c.identities.length > 0 && (
              <div class="mt-3 text-sm">
                <div class="text-slate-600">{t("otherAddresses")}</div>
                <ul>
                  {c.identities.map((i) => (
                    <li key={`${i.kind}:${i.value}`}>
                      {i.kind === "phone" ? <Phone value={i.value} /> : <bdi dir="ltr">{i.value}</bdi>} <span class="text-xs text-slate-600">({tOr(`identity_${i.kind}`, i.kind)})</span>
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </Card>
          <ContactTasks contact={c} onChange={bump} />
          <Notes contactId={c.id} onChange={bump} />
        </div>
        <div class="lg:col-span-2 lg:col-start-1 lg:row-start-1">
          <Card title={t("timeline")}>
            <Timeline contactId={c.id} version={version} />
          </Card>
        </div>
      </div>

      <Dialog open={editing} title={t("editContact")} onClose={() => setEditing(false)} wide>
        <ContactForm
          contact={c}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            res.set({ ...saved, identities: c.identities });
            setEditing(false);
            bump();
          }}
        />
      </Dialog>
      <Dialog open={merging} title={t("mergeContacts")} onClose={() => setMerging(false)}>
        <MergeForm
          contact={c}
          onCancel={() => setMerging(false)}
          onMerged={(kept) => {
            setMerging(false);
            if (kept.id === c.id) {
              res.reload();
              bump();
            } else route(`/app/admin/contacts/${kept.id}`);
          }}
        />
      </Dialog>
      <Dialog open={deleting} title={t("deleteContact")} onClose={() => setDeleting(false)}>
        <p class="mb-4 text-slate-800">{t("deleteContactConfirm", { name: title })}</p>
        <div class="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setDeleting(false)}>
            {t("cancel")}
          </Button>
          <Button variant="danger" onClick={remove}>
            {t("delete")}
          </Button>
        </div>
      </Dialog>
    </>
  );
}
