/**
 * One contact's WhatsApp thread: text and media, each sent message's status (queued ◷, sent ✓, delivered ✓✓,
 * read ✓✓ in blue, failed ! with the reason in words), the reply box (POST /api/whatsapp/send) and a payment link.
 * Opening the thread, and every message arriving while it is open, marks the contact's messages read.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.ts";
import { PaymentLinkDialog, contactLabel, type ContactRef } from "../components/payment-link.tsx";
import { problemText, WhatsappProblemAlert } from "../components/whatsapp-problem.tsx";
import { locale, t, type Key } from "../i18n.ts";
import { RECONNECTED, useLive } from "../live.ts";
import { buttonClass, Phone } from "../ui.tsx";

export interface Message {
  id: number;
  contactId: number;
  direction: "in" | "out";
  channel: "baileys" | "twilio";
  providerId: string;
  text: string | null;
  media?: Array<{ url: string; mime: string; bytes: number; name?: string }>;
  status: "received" | "queued" | "sent" | "delivered" | "read" | "failed";
  errorCode?: string;
  errorMessage?: string;
  at: string;
}

const STATUS_TEXT: Record<Message["status"], Key> = {
  received: "ibStatusReceived",
  queued: "ibStatusQueued",
  sent: "ibStatusSent",
  delivered: "ibStatusDelivered",
  read: "ibStatusRead",
  failed: "ibStatusFailed",
};

const PAGE = 50;

/** Today: the time; this year: day and month; else the date. */
export function shortWhen(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
  return d.toLocaleDateString(locale(), d.getFullYear() === now.getFullYear() ? { day: "numeric", month: "short" } : { dateStyle: "short" });
}

/** The status of a sent message as WhatsApp shows it, with its name for screen readers and on hover. */
export function StatusTick(props: { status: Message["status"] }) {
  const s = props.status;
  const label = t(STATUS_TEXT[s]);
  const color = s === "read" ? "text-sky-600" : s === "failed" ? "text-red-700" : "text-slate-600";
  const path =
    s === "queued" ? (
      <>
        <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" stroke-width="1.5" />
        <path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
      </>
    ) : s === "failed" ? (
      <>
        <circle cx="8" cy="8" r="6.5" fill="currentColor" />
        <path d="M8 4.5v4.5M8 11.2v.3" stroke="white" stroke-width="1.8" stroke-linecap="round" />
      </>
    ) : s === "sent" ? (
      <path d="M2.5 8.5l3 3 6-7" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
    ) : (
      <path d="M1 8.5l3 3 6-7M6.5 11.5l6-7M6 9.5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
    );
  return (
    <span role="img" aria-label={label} title={label} class={`inline-flex shrink-0 ${color}`} data-status={s}>
      <svg viewBox="0 0 16 16" class="h-4 w-4" aria-hidden="true">
        {path}
      </svg>
    </span>
  );
}

function Media(props: { file: NonNullable<Message["media"]>[number] }) {
  const f = props.file;
  if (/^image\/(jpeg|png|gif|webp)$/.test(f.mime)) return <img src={f.url} alt={f.name ?? t("ibMedia")} loading="lazy" class="max-h-64 max-w-full rounded" />;
  if (f.mime.startsWith("audio/")) return <audio controls preload="none" src={f.url} class="max-w-full" aria-label={f.name ?? t("ibMedia")} />;
  if (f.mime.startsWith("video/")) return <video controls preload="none" src={f.url} class="max-h-64 max-w-full rounded" aria-label={f.name ?? t("ibMedia")} />;
  return (
    <a class="underline" href={f.url} download={f.name}>
      {t("ibDownload")}: {f.name ?? f.mime} ({Math.max(1, Math.round(f.bytes / 1024))} KB)
    </a>
  );
}

export function InboxThread(props: { contactId: number; onBack: () => void; onLatest: (m: Message) => void; onRead: (contactId: number) => void }) {
  const id = props.contactId;
  const [contact, setContact] = useState<ContactRef>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [total, setTotal] = useState(0);
  const [pages, setPages] = useState(1);
  const [text, setText] = useState("");
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<unknown>();
  const [paying, setPaying] = useState(false);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);

  const markRead = () => api(`/api/conversations/${id}/read`, { method: "POST" }).then(() => props.onRead(id), () => {});
  const load = (n = pages) =>
    api<{ items: Message[]; total: number }>(`/api/contacts/${id}/messages?limit=${PAGE * n}`).then((r) => {
      setMessages(r.items.slice().reverse());
      setTotal(r.total);
    }, setProblem);

  useEffect(() => {
    api<ContactRef>(`/api/contacts/${id}`).then(setContact, () => setContact({ id, name: null, phone: null }));
    void load(1).then(markRead);
  }, [id]);

  useEffect(() => {
    const el = scroller.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages]);

  useLive((e) => {
    if (e.type === RECONNECTED) return void load();
    if (e.type === "message.in") {
      const m = e.data.message as Message;
      if (m.contactId !== id) return;
      setMessages((list) => (list.some((x) => x.id === m.id) ? list : [...list, m]));
      setTotal((n) => n + 1);
      return void markRead();
    }
    if (e.type !== "message.status") return;
    const u = e.data as Pick<Message, "id" | "status" | "errorCode" | "errorMessage" | "media">;
    // a message to this contact sent from elsewhere (another tab, the agent): read the thread again
    if (e.contactId === id && !messages.some((m) => m.id === u.id)) return void load();
    // `media` comes when an inbound message's attachments finished downloading after it arrived
    setMessages((list) => list.map((m) => (m.id === u.id ? { ...m, status: u.status, errorCode: u.errorCode, errorMessage: u.errorMessage, ...(u.media ? { media: u.media } : {}) } : m)));
  });

  async function send(e: Event) {
    e.preventDefault();
    const body = text.trim();
    if (!body || sending) return;
    setSending(true);
    setProblem(undefined);
    try {
      const { message } = await api<{ message: Message }>("/api/whatsapp/send", { body: { contactId: id, text: body } });
      setText("");
      stickToBottom.current = true;
      setMessages((list) => (list.some((x) => x.id === message.id) ? list.map((x) => (x.id === message.id ? message : x)) : [...list, message]));
      props.onLatest(message);
    } catch (err) {
      setProblem(err);
      void load(); // a refused message is kept as failed: show it where it belongs
    } finally {
      setSending(false);
    }
  }

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
  };

  const title = contact ? contactLabel(contact) : "";
  return (
    <div class="flex flex-col rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <div class="flex flex-wrap items-center gap-2 border-b border-slate-100 px-4 py-3">
        <button type="button" class="rounded px-2 py-1 text-sm underline md:hidden" onClick={props.onBack}>
          {t("ibBackToList")}
        </button>
        <h2 class="me-auto min-w-0 truncate text-lg font-semibold">
          <span class="sr-only">{t("ibThreadOf")} </span>
          {title}
          {contact?.name && contact.phone && (
            <span class="ms-2 text-sm font-normal text-slate-600">
              <Phone value={contact.phone} />
            </span>
          )}
        </h2>
        <a class="text-sm underline" href={`/app/admin/contacts/${id}`}>
          {t("ibOpenContact")}
        </a>
        <button type="button" class={buttonClass("secondary", true)} onClick={() => setPaying(true)}>
          {t("pyLink")}
        </button>
      </div>
      <div
        ref={scroller}
        class="max-h-[60vh] min-h-48 space-y-2 overflow-y-auto bg-slate-50 px-3 py-4"
        onScroll={(e) => {
          const el = e.currentTarget as HTMLDivElement;
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {messages.length < total && (
          <div class="text-center">
            <button
              type="button"
              class="text-sm underline"
              onClick={() => {
                stickToBottom.current = false;
                setPages(pages + 1);
                void load(pages + 1);
              }}
            >
              {t("ibLoadEarlier")}
            </button>
          </div>
        )}
        <ol class="space-y-2" aria-live="polite" data-testid="thread">
          {messages.map((m) => (
            <li key={m.id} class={`flex ${m.direction === "in" ? "justify-start" : "justify-end"}`} data-message={m.id} data-direction={m.direction}>
              <div class={`max-w-[85%] rounded-lg px-3 py-2 shadow-sm ${m.direction === "in" ? "bg-white" : m.status === "failed" ? "bg-red-50" : "bg-green-50"}`}>
                {m.media?.map((f) => (
                  <div class="mb-1">
                    <Media file={f} />
                  </div>
                ))}
                {m.text && (
                  <p class="whitespace-pre-wrap break-words" dir="auto">
                    {m.text}
                  </p>
                )}
                <div class="mt-1 flex items-center justify-end gap-1 text-xs text-slate-600">
                  <time dateTime={m.at}>{shortWhen(m.at)}</time>
                  {m.direction === "out" && <StatusTick status={m.status} />}
                </div>
                {m.status === "failed" && (m.errorMessage || m.errorCode) && <p class="mt-1 text-xs text-red-800">{problemText(m)}</p>}
              </div>
            </li>
          ))}
        </ol>
      </div>
      <form class="border-t border-slate-100 p-3" onSubmit={send}>
        {problem !== undefined && <WhatsappProblemAlert source={problem} class="mb-2" />}
        <div class="flex items-end gap-2">
          <label class="min-w-0 flex-1">
            <span class="sr-only">{t("ibReplyLabel")}</span>
            <textarea
              name="reply"
              rows={2}
              maxLength={4096}
              class="w-full resize-y rounded-md border border-slate-300 px-3 py-2 focus:outline-none focus:ring-2 focus:ring-indigo-500"
              placeholder={t("ibReplyPlaceholder")}
              dir="auto"
              value={text}
              onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
              onKeyDown={onKeyDown}
            />
          </label>
          <button type="submit" disabled={sending || !text.trim()} class={buttonClass("primary")}>
            {sending ? t("ibSending") : t("ibSend")}
          </button>
        </div>
      </form>
      {paying && contact && (
        <PaymentLinkDialog
          contact={contact}
          onClose={() => {
            setPaying(false);
            void load(); // the link may have been sent on WhatsApp from the dialog
          }}
        />
      )}
    </div>
  );
}
