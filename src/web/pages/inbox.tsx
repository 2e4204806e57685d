/**
 * /app/admin/inbox[/:contactId]: WhatsApp conversations, one per contact (latest message, unread count), and the
 * open contact's thread beside them (on a phone: one or the other). Kept live from /ws/admin: `message.in` moves a
 * conversation to the top and counts it unread unless its thread is open; `message.status` updates the tick.
 */
import { useEffect, useState } from "preact/hooks";
import { useLocation, useRoute } from "preact-iso";
import { api } from "../api.ts";
import { t } from "../i18n.ts";
import { RECONNECTED, useLive } from "../live.ts";
import { ErrorLine, PageHeader, Phone } from "../ui.tsx";
import { InboxThread, shortWhen, StatusTick, type Message } from "./inbox-thread.tsx";

interface Conversation {
  contact: { id: number; name: string | null; phone: string | null; ownerId: number | null };
  last: Message;
  unread: number;
}

export function InboxPage() {
  const { params } = useRoute();
  const { route } = useLocation();
  const open = params.contactId && /^\d+$/.test(params.contactId) ? Number(params.contactId) : undefined;
  const [conversations, setConversations] = useState<Conversation[]>();
  const [error, setError] = useState<string>();

  const load = () =>
    api<{ items: Conversation[] }>("/api/conversations?limit=200").then(
      (r) => setConversations(r.items),
      (e) => setError(e instanceof Error ? e.message : String(e)),
    );
  useEffect(() => void load(), []);

  /** A message (in or out) is now the conversation's latest: it moves to the top. */
  const latest = (m: Message, unreadDelta: number) =>
    setConversations((list) => {
      if (!list) return list;
      const i = list.findIndex((c) => c.contact.id === m.contactId);
      if (i < 0) {
        void load(); // a contact new to the inbox: its name and number come with the list
        return list;
      }
      const c = list[i]!;
      const updated = { ...c, last: m, unread: m.contactId === open ? 0 : c.unread + unreadDelta };
      return [updated, ...list.slice(0, i), ...list.slice(i + 1)];
    });

  useLive((e) => {
    if (e.type === RECONNECTED) return void load();
    if (e.type === "message.in") return latest(e.data.message as Message, 1);
    if (e.type !== "message.status") return;
    const { id, status, errorCode, errorMessage, media } = e.data as { id: number; status: Message["status"]; errorCode?: string; errorMessage?: string; media?: Message["media"] };
    const row = conversations?.find((c) => c.contact.id === e.contactId);
    // a message sent from elsewhere (another tab, the payment dialog, the agent) is newer than the row's latest
    if (e.contactId && (!row || row.last.id < id)) return void load();
    setConversations((list) => list?.map((c) => (c.last.id === id ? { ...c, last: { ...c.last, status, errorCode, errorMessage, ...(media ? { media } : {}) } } : c)));
  });

  const markedRead = (contactId: number) => setConversations((list) => list?.map((c) => (c.contact.id === contactId ? { ...c, unread: 0 } : c)));

  return (
    <div class="mx-auto max-w-6xl">
      <PageHeader title={t("ibTitle")} />
      <ErrorLine message={error} />
      <div class="grid grid-cols-1 gap-4 md:grid-cols-[18rem_minmax(0,1fr)] lg:grid-cols-[22rem_minmax(0,1fr)]">
        <section aria-label={t("ibConversations")} class={`min-w-0 rounded-lg bg-white shadow-sm ring-1 ring-slate-200 ${open ? "hidden md:block" : ""}`}>
          {conversations && conversations.length === 0 && <p class="p-4 text-slate-600">{t("ibNoConversations")}</p>}
          <ul class="divide-y divide-slate-100" data-testid="conversations">
            {conversations?.map((c) => (
              <li key={c.contact.id}>
                <a
                  href={`/app/admin/inbox/${c.contact.id}`}
                  aria-current={c.contact.id === open ? "page" : undefined}
                  class={`flex gap-3 px-4 py-3 hover:bg-slate-50 ${c.contact.id === open ? "bg-indigo-50" : ""}`}
                  data-contact={c.contact.id}
                >
                  <div class="min-w-0 flex-1">
                    <div class="flex items-baseline justify-between gap-2">
                      <span class={`truncate ${c.unread ? "font-bold" : "font-medium"}`}>{c.contact.name || <Phone value={c.contact.phone} />}</span>
                      <time class="shrink-0 text-xs text-slate-600" dateTime={c.last.at}>
                        {shortWhen(c.last.at)}
                      </time>
                    </div>
                    <div class="mt-0.5 flex items-center gap-1 text-sm text-slate-600">
                      {c.last.direction === "out" && <StatusTick status={c.last.status} />}
                      <span class="truncate">
                        {c.last.direction === "out" && `${t("ibYou")} `}
                        <bdi>{c.last.text || (c.last.media?.length ? t("ibMedia") : "")}</bdi>
                      </span>
                      {c.unread > 0 && (
                        <span class="ms-auto shrink-0 rounded-full bg-green-700 px-2 text-xs font-bold text-white" data-testid="unread">
                          {c.unread}
                          <span class="sr-only"> {t("ibUnread")}</span>
                        </span>
                      )}
                    </div>
                  </div>
                </a>
              </li>
            ))}
          </ul>
        </section>
        <section class={`min-w-0 ${open ? "" : "hidden md:block"}`}>
          {open ? (
            <InboxThread key={open} contactId={open} onBack={() => route("/app/admin/inbox")} onLatest={(m) => latest(m, 0)} onRead={markedRead} />
          ) : (
            <p class="rounded-lg bg-white p-6 text-slate-600 shadow-sm ring-1 ring-slate-200">{t("ibPick")}</p>
          )}
        </section>
      </div>
    </div>
  );
}
