/** A contact's open tasks, with a quick "add task" for them. */
import { useState } from "preact/hooks";
import { qs } from "../api.ts";
import { useApi, useLiveReload } from "../hooks.ts";
import { t } from "../i18n.ts";
import type { Contact, Page, Task } from "../types.ts";
import { Button, Card, Empty } from "../ui.tsx";
import { TaskForm, TaskItem } from "./task-parts.tsx";

export function ContactTasks(props: { contact: Contact; onChange: () => void }) {
  const tasks = useApi<Page<Task>>(`/api/tasks${qs({ contactId: props.contact.id, view: "open", limit: 50 })}`);
  const [adding, setAdding] = useState(false);
  useLiveReload(["task.created"], tasks.reload, (e) => e.contactId === props.contact.id);
  const changed = () => {
    tasks.reload();
    props.onChange();
  };
  return (
    <Card
      title={t("openTasks")}
      actions={
        <Button small variant="secondary" onClick={() => setAdding(!adding)} pressed={adding}>
          {t("addTask")}
        </Button>
      }
    >
      {adding && (
        <div class="mb-3 rounded-md bg-slate-50 p-3 ring-1 ring-slate-200">
          <TaskForm
            contact={props.contact}
            onCreated={() => {
              setAdding(false);
              changed();
            }}
          />
        </div>
      )}
      {tasks.data && tasks.data.items.length === 0 && !adding && <Empty>{t("noOpenTasks")}</Empty>}
      {tasks.data && tasks.data.items.length > 0 && (
        <ul class="divide-y divide-slate-100">
          {tasks.data.items.map((task) => (
            <TaskItem key={task.id} task={task} onChange={changed} showContact={false} />
          ))}
        </ul>
      )}
    </Card>
  );
}
