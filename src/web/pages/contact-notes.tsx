/** Notes on a contact: add one, read them newest first; the author, an owner or an admin deletes one. */
import { Trash2 } from "lucide-preact";
import { useState } from "preact/hooks";
import { api, errorText } from "../api.ts";
import { TextArea } from "../form.tsx";
import { relative } from "../format.ts";
import { useApi } from "../hooks.ts";
import { t } from "../i18n.ts";
import { canManage, me } from "../session.ts";
import type { Note, Page } from "../types.ts";
import { Button, Card, ErrorLine } from "../ui.tsx";

export function Notes(props: { contactId: number; onChange: () => void }) {
  const notes = useApi<Page<Note>>(`/api/contacts/${props.contactId}/notes?limit=50`);
  const [text, setText] = useState("");
  const [error, setError] = useState<string>();
  const add = async (e: Event) => {
    e.preventDefault();
    try {
      await api(`/api/contacts/${props.contactId}/notes`, { body: { text } });
      setText("");
      setError(undefined);
      notes.reload();
      props.onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const remove = async (n: Note) => {
    await api(`/api/contacts/${props.contactId}/notes/${n.id}`, { method: "DELETE" }).catch((err) => setError(errorText(err)));
    notes.reload();
    props.onChange();
  };
  return (
    <Card title={t("notes")}>
      <form onSubmit={add} noValidate>
        <TextArea label={t("newNote")} name="note" value={text} onInput={setText} rows={2} hideLabel />
        <ErrorLine message={error} />
        <Button type="submit" small disabled={!text.trim()}>
          {t("addNote")}
        </Button>
      </form>
      {notes.data && notes.data.items.length > 0 && (
        <ul class="mt-3 space-y-2">
          {notes.data.items.map((n) => (
            <li key={n.id} class="rounded-md bg-amber-50 px-3 py-2 text-sm ring-1 ring-amber-100">
              <p class="whitespace-pre-wrap">
                <bdi>{n.text}</bdi>
              </p>
              <div class="mt-1 flex items-center justify-between gap-2 text-xs text-slate-700">
                <span>
                  {n.authorName ?? "—"} · {relative(n.createdAt)}
                </span>
                {(canManage.value || n.authorId === me.value?.id) && (
                  <button type="button" onClick={() => remove(n)} class="rounded p-1 hover:bg-amber-100" aria-label={t("deleteNote")}>
                    <Trash2 size={14} aria-hidden="true" />
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
