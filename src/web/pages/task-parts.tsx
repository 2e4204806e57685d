/** A task in a list (done box, title, due time, contact, assignee) and the form that creates one. */
import { AlertTriangle, PhoneCall } from "lucide-preact";
import { useState } from "preact/hooks";
import { api, ApiError, errorText } from "../api.ts";
import { Field, fieldError, Select } from "../form.tsx";
import { dateTime, relative } from "../format.ts";
import { t } from "../i18n.ts";
import { canManage, me } from "../session.ts";
import type { Contact, Task } from "../types.ts";
import { Badge, Button, ErrorLine, Phone } from "../ui.tsx";
import { userName, useUsers } from "../users.ts";
import { ContactPicker } from "./contact-picker.tsx";

/** A datetime-local value ("2025-03-01T10:00", the browser's zone) as an ISO instant. */
export const localToIso = (v: string) => (v ? new Date(v).toISOString() : null);

export function TaskItem(props: { task: Task; onChange: (t: Task) => void; showContact?: boolean }) {
  const task = props.task;
  const users = useUsers();
  const [error, setError] = useState<string>();
  // the box shows the click at once; the list re-reads (and moves the task to its view) when the change is saved
  const [done, setDone] = useState(task.done);
  const overdue = !done && task.dueAt && Date.parse(task.dueAt) < Date.now();
  const patch = async (body: Record<string, unknown>) => {
    try {
      props.onChange(await api<Task>(`/api/tasks/${task.id}`, { method: "PATCH", body }));
      setError(undefined);
    } catch (e) {
      setDone(task.done);
      setError(errorText(e));
    }
  };
  return (
    <li class="flex gap-3 py-3" data-task-id={task.id}>
      <input
        type="checkbox"
        checked={done}
        onChange={(e) => {
          const v = (e.target as HTMLInputElement).checked;
          setDone(v);
          void patch({ done: v });
        }}
        aria-label={done ? t("markOpen", { title: task.title }) : t("markDone", { title: task.title })}
        class="mt-1 h-5 w-5 shrink-0 accent-indigo-600"
      />
      <div class="min-w-0 flex-1">
        <div class={`font-medium ${done ? "text-slate-600 line-through" : "text-slate-900"}`}>
          <bdi>{task.title}</bdi>
          {task.kind === "callback" && (
            <Badge tone="sky" class="ms-2">
              <PhoneCall size={12} aria-hidden="true" />
              {t("callback")}
            </Badge>
          )}
        </div>
        <div class="mt-0.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-700">
          {task.dueAt ? (
            <span class={overdue ? "inline-flex items-center gap-1 font-medium text-red-700" : ""}>
              {overdue && <AlertTriangle size={14} aria-hidden="true" />}
              <time dateTime={task.dueAt} title={dateTime(task.dueAt)}>
                {dateTime(task.dueAt)} ({relative(task.dueAt)})
              </time>
            </span>
          ) : (
            <span>{t("noDueTime")}</span>
          )}
          {task.dueText && <span class="text-slate-600">“{task.dueText}”</span>}
          {props.showContact !== false && task.contactId && (
            <a href={`/app/admin/contacts/${task.contactId}`} class="text-indigo-700 hover:underline">
              {task.contactName || <Phone value={task.contactPhone} />}
            </a>
          )}
        </div>
        {task.notes && <p class="mt-1 whitespace-pre-wrap text-sm text-slate-700">{task.notes}</p>}
        <div class="mt-1.5 flex flex-wrap items-center gap-2 text-sm text-slate-700">
          <span>{t("assignee")}:</span>
          {canManage.value ? (
            <select
              aria-label={t("assigneeOf", { title: task.title })}
              value={String(task.assigneeId ?? "")}
              onChange={(e) => patch({ assigneeId: (e.target as HTMLSelectElement).value ? Number((e.target as HTMLSelectElement).value) : null })}
              class="max-w-full rounded-md border border-slate-300 bg-white py-1 ps-2 pe-7 text-sm text-slate-900"
            >
              <option value="">{t("nobody")}</option>
              {users
                .filter((u) => u.active || u.id === task.assigneeId)
                .map((u) => (
                  <option key={u.id} value={String(u.id)}>
                    {userName(u)}
                  </option>
                ))}
            </select>
          ) : (
            <span class="font-medium text-slate-900">{task.assigneeName ?? t("nobody")}</span>
          )}
        </div>
        <ErrorLine message={error} />
      </div>
    </li>
  );
}

export function TaskForm(props: { contact?: Contact; onCreated: (t: Task) => void }) {
  const users = useUsers();
  const [title, setTitle] = useState("");
  const [due, setDue] = useState("");
  const [assignee, setAssignee] = useState(String(me.value?.id ?? ""));
  const [contact, setContact] = useState<Contact | undefined>(props.contact);
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      const task = await api<Task>("/api/tasks", { body: { title, dueAt: localToIso(due), contactId: contact?.id ?? null, assigneeId: assignee ? Number(assignee) : null } });
      setTitle("");
      setDue("");
      setError(undefined);
      props.onCreated(task);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "error", String(err)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <ErrorLine message={error && !["title", "dueAt", "assigneeId", "contactId"].includes(error.field ?? "") ? error.message : undefined} />
      <Field label={t("taskTitle")} name="title" value={title} onInput={setTitle} required error={fieldError(error, "title")} />
      <div class="grid gap-x-3 sm:grid-cols-2">
        <Field label={t("due")} name="dueAt" type="datetime-local" value={due} onInput={setDue} error={fieldError(error, "dueAt")} />
        {canManage.value && (
          <Select
            label={t("assignee")}
            name="assigneeId"
            value={assignee}
            onChange={setAssignee}
            error={fieldError(error, "assigneeId")}
            options={[{ value: "", label: t("nobody") }, ...users.filter((u) => u.active).map((u) => ({ value: String(u.id), label: userName(u) }))]}
          />
        )}
      </div>
      {!props.contact && <ContactPicker label={t("contactOptional")} value={contact} onPick={setContact} />}
      <ErrorLine message={fieldError(error, "contactId")} />
      <Button type="submit" disabled={busy || !title.trim()}>
        {t("addTask")}
      </Button>
    </form>
  );
}
