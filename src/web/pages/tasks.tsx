/**
 * Tasks: today, overdue, upcoming, done (in the business's time zone), each a link; create one (due time,
 * assignee, contact); complete and re-assign in place. Callbacks callers asked for on calls show with their words.
 */
import { Plus } from "lucide-preact";
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { qs } from "../api.ts";
import { Dialog } from "../components/dialog.tsx";
import { TabLinks } from "../components/tabs.tsx";
import { useApi, useLiveReload } from "../hooks.ts";
import { t } from "../i18n.ts";
import type { Page, Task } from "../types.ts";
import { Button, Card, Empty, ErrorLine, Loading, PageHeader, Pager } from "../ui.tsx";
import { TaskForm, TaskItem } from "./task-parts.tsx";

const VIEWS = ["today", "overdue", "upcoming", "done"] as const;
type View = (typeof VIEWS)[number];

export function TasksPage() {
  const { path, query, route } = useLocation();
  const view: View = VIEWS.includes(query.view as View) ? (query.view as View) : "today";
  const mine = query.mine === "1";
  const page = Math.max(1, Number(query.page) || 1);
  const list = useApi<Page<Task>>(`/api/tasks${qs({ view, assigneeId: mine ? "me" : undefined, page, limit: 50 })}`);
  const today = useApi<Page<Task>>(`/api/tasks${qs({ view: "today", assigneeId: mine ? "me" : undefined, limit: 1 })}`);
  const overdue = useApi<Page<Task>>(`/api/tasks${qs({ view: "overdue", assigneeId: mine ? "me" : undefined, limit: 1 })}`);
  const [creating, setCreating] = useState(false);
  const reloadAll = () => {
    list.reload();
    today.reload();
    overdue.reload();
  };
  useLiveReload(["task.created"], reloadAll);
  const link = (v: View) => `${path}${qs({ view: v, mine: mine ? "1" : undefined })}`;
  const data = list.data;

  return (
    <>
      <PageHeader
        title={t("tasks")}
        actions={
          <Button small onClick={() => setCreating(true)}>
            <Plus size={16} aria-hidden="true" />
            {t("newTask")}
          </Button>
        }
      />
      <TabLinks
        label={t("taskViews")}
        items={VIEWS.map((v) => ({ href: link(v), label: t(`view_${v}`), active: v === view, count: v === "today" ? today.data?.total : v === "overdue" ? overdue.data?.total : undefined }))}
      />
      <Card>
        <label class="mb-2 inline-flex items-center gap-2 text-sm text-slate-800">
          <input type="checkbox" checked={mine} onChange={(e) => route(`${path}${qs({ view, mine: (e.target as HTMLInputElement).checked ? "1" : undefined })}`, true)} class="h-4 w-4 accent-indigo-600" />
          {t("onlyMine")}
        </label>
        <ErrorLine message={list.error} />
        {!data ? (
          !list.error && <Loading />
        ) : data.items.length === 0 ? (
          <Empty>{t(`noTasks_${view}`)}</Empty>
        ) : (
          <ul class="divide-y divide-slate-100">
            {data.items.map((task) => (
              <TaskItem key={task.id} task={task} onChange={reloadAll} />
            ))}
          </ul>
        )}
        {data && <Pager page={data.page} total={data.total} limit={data.limit} onPage={(p) => route(`${path}${qs({ ...query, page: p })}`, true)} />}
      </Card>
      <Dialog open={creating} title={t("newTask")} onClose={() => setCreating(false)}>
        <TaskForm
          onCreated={() => {
            setCreating(false);
            reloadAll();
          }}
        />
      </Dialog>
    </>
  );
}
