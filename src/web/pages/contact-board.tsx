/**
 * The pipeline board: one column per status (new → contacted → qualified → proposal → won / lost), contacts moved
 * between columns by dragging (mouse anywhere on the card; touch and pen by the grip, so the board still scrolls
 * under a finger) or from the keyboard: the grip picks the card up (Enter/Space), the arrow keys choose the column,
 * Enter/Space drops, Escape cancels; a picked-up card can also be dropped with the column's "move here" button.
 * Every move is announced to screen readers and saved at once (PATCH status; kept in the contact's history).
 */
import { GripVertical } from "lucide-preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { displayPhone } from "../format.ts";
import { api, errorText, qs } from "../api.ts";
import { useLiveReload } from "../hooks.ts";
import { lang, t } from "../i18n.ts";
import { STATUSES, type Contact, type ContactStatus, type Page } from "../types.ts";
import { Badge, Card, ErrorLine, Phone, StatusBadge } from "../ui.tsx";
import { ContactFilters, contactFilter } from "./contact-filters.tsx";
import { ContactsHeader, ContactsTabs } from "./contacts.tsx";

type Columns = Record<ContactStatus, Contact[]>;
const COLUMN_LIMIT = 50;
const DRAG_THRESHOLD_PX = 5;

interface Drag {
  id: number;
  from: ContactStatus;
  x: number;
  y: number;
  over?: ContactStatus;
  label: string;
}

const nameOf = (c: Contact) => c.name || c.email || displayPhone(c.phone) || `#${c.id}`;

export function BoardPage() {
  const { query } = useLocation();
  const filter = contactFilter(query, false);
  const key = JSON.stringify(filter);
  const [cols, setCols] = useState<Columns>();
  const [counts, setCounts] = useState<Record<ContactStatus, number>>();
  const [error, setError] = useState<string>();
  const [announce, setAnnounce] = useState("");
  const [drag, setDrag] = useState<Drag>();
  const [grabbed, setGrabbed] = useState<{ id: number; from: ContactStatus; target: ContactStatus }>();
  const [tick, setTick] = useState(0);
  const boardRef = useRef<HTMLDivElement>(null);
  const pending = useRef<{ id: number; from: ContactStatus; x0: number; y0: number; pointerId: number; el: HTMLElement; label: string } | undefined>(undefined);
  const dragged = useRef(false);

  useEffect(() => {
    let stale = false;
    Promise.all([
      Promise.all(STATUSES.map((s) => api<Page<Contact>>(`/api/contacts${qs({ ...filter, status: s, sort: "updatedAt", limit: COLUMN_LIMIT })}`))),
      api<{ statuses: Record<ContactStatus, number> }>(`/api/contacts/pipeline${qs(filter)}`),
    ]).then(
      ([pages, pipeline]) => {
        if (stale) return;
        setCols(Object.fromEntries(STATUSES.map((s, i) => [s, pages[i]!.items])) as Columns);
        setCounts(pipeline.statuses);
        setError(undefined);
      },
      (e) => !stale && setError(errorText(e)),
    );
    return () => void (stale = true);
  }, [key, tick]);
  useLiveReload(["lead.saved"], () => setTick((n) => n + 1));

  const find = (id: number) => STATUSES.map((s) => cols?.[s].find((c) => c.id === id)).find(Boolean);

  async function move(id: number, from: ContactStatus, to: ContactStatus) {
    if (!cols || !counts || from === to) return;
    const contact = cols[from].find((c) => c.id === id);
    if (!contact) return;
    const before = { cols, counts };
    setCols({ ...cols, [from]: cols[from].filter((c) => c.id !== id), [to]: [{ ...contact, status: to }, ...cols[to]] });
    setCounts({ ...counts, [from]: counts[from] - 1, [to]: counts[to] + 1 });
    setAnnounce(t("movedTo", { name: nameOf(contact), status: t(`status_${to}`) }));
    try {
      await api(`/api/contacts/${id}`, { method: "PATCH", body: { status: to } });
      setError(undefined);
    } catch (e) {
      setCols(before.cols);
      setCounts(before.counts);
      setError(errorText(e));
    }
  }

  // ---- pointer dragging ----
  const columnAt = (x: number, y: number) => (document.elementFromPoint(x, y)?.closest("[data-status]") as HTMLElement | null)?.dataset.status as ContactStatus | undefined;

  function onPointerDown(e: PointerEvent, c: Contact) {
    if (e.button !== 0) return;
    const target = e.target as HTMLElement;
    const onGrip = !!target.closest("[data-grip]");
    // fingers and pens drag by the grip only, so the board still scrolls under them; a mouse drags the whole card
    if (e.pointerType !== "mouse" && !onGrip) return;
    if (e.pointerType === "mouse" && !onGrip && target.closest("button,input,select")) return;
    const el = (e.currentTarget as HTMLElement) ?? target;
    pending.current = { id: c.id, from: c.status, x0: e.clientX, y0: e.clientY, pointerId: e.pointerId, el, label: nameOf(c) };
    dragged.current = false;
  }

  function onPointerMove(e: PointerEvent) {
    const p = pending.current;
    if (!p || e.pointerId !== p.pointerId) return;
    if (!drag) {
      if (Math.hypot(e.clientX - p.x0, e.clientY - p.y0) < DRAG_THRESHOLD_PX) return;
      p.el.setPointerCapture?.(e.pointerId);
      dragged.current = true;
    }
    e.preventDefault();
    // near the board's edges, scroll it (columns beyond the screen on a phone)
    const board = boardRef.current;
    if (board) {
      const r = board.getBoundingClientRect();
      if (e.clientX < r.left + 40) board.scrollLeft -= 16;
      else if (e.clientX > r.right - 40) board.scrollLeft += 16;
    }
    setDrag({ id: p.id, from: p.from, x: e.clientX, y: e.clientY, over: columnAt(e.clientX, e.clientY), label: p.label });
  }

  function onPointerUp(e: PointerEvent) {
    const p = pending.current;
    pending.current = undefined;
    if (!p || !drag) return setDrag(undefined);
    const to = columnAt(e.clientX, e.clientY);
    setDrag(undefined);
    if (to && to !== p.from) void move(p.id, p.from, to);
  }

  // ---- keyboard (and tap-to-move) ----
  function pickUp(c: Contact) {
    setGrabbed({ id: c.id, from: c.status, target: c.status });
    setAnnounce(t("pickedUp", { name: nameOf(c), status: t(`status_${c.status}`) }));
  }
  function drop(to: ContactStatus) {
    if (!grabbed) return;
    const g = grabbed;
    setGrabbed(undefined);
    if (to === g.from) setAnnounce(t("moveCancelled"));
    else void move(g.id, g.from, to);
  }
  function onGripKey(e: KeyboardEvent, c: Contact) {
    const g = grabbed?.id === c.id ? grabbed : undefined;
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      if (g) drop(g.target);
      else pickUp(c);
      return;
    }
    if (!g) return;
    if (e.key === "Escape") {
      e.preventDefault();
      setGrabbed(undefined);
      setAnnounce(t("moveCancelled"));
      return;
    }
    // columns run from the start side: in Hebrew "next" is to the left
    const forward = lang.value === "he" ? ["ArrowLeft", "ArrowDown"] : ["ArrowRight", "ArrowDown"];
    const back = lang.value === "he" ? ["ArrowRight", "ArrowUp"] : ["ArrowLeft", "ArrowUp"];
    const step = forward.includes(e.key) ? 1 : back.includes(e.key) ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const i = Math.min(STATUSES.length - 1, Math.max(0, STATUSES.indexOf(g.target) + step));
    const target = STATUSES[i]!;
    setGrabbed({ ...g, target });
    setAnnounce(t("overColumn", { status: t(`status_${target}`) }));
  }

  const grabbedContact = grabbed && find(grabbed.id);
  return (
    <>
      <ContactsHeader onChanged={() => setTick((n) => n + 1)} />
      <ContactsTabs board />
      <Card>
        <ContactFilters board />
        <p id="board-help" class="mb-2 text-xs text-slate-600">
          {t("boardHelp")}
        </p>
        <ErrorLine message={error} />
        <div aria-live="assertive" class="sr-only">
          {announce}
        </div>
        {grabbedContact && (
          <p class="mb-2 rounded-md bg-indigo-50 px-3 py-2 text-sm text-indigo-900" role="status">
            {t("movingHint", { name: nameOf(grabbedContact) })}
          </p>
        )}
        <div ref={boardRef} class="-mx-4 overflow-x-auto px-4 pb-2 sm:-mx-5 sm:px-5" onPointerMove={onPointerMove} onPointerUp={onPointerUp} onPointerCancel={() => ((pending.current = undefined), setDrag(undefined))}>
          <div class="flex min-w-max gap-3">
            {STATUSES.map((s) => {
              const over = drag?.over === s || grabbed?.target === s;
              return (
                <section key={s} data-status={s} aria-labelledby={`col-${s}`} class={`flex w-64 shrink-0 flex-col rounded-lg p-2 transition-colors ${over ? "bg-indigo-100 ring-2 ring-indigo-400" : "bg-slate-100"}`}>
                  <header class="mb-2 flex items-center justify-between gap-2 px-1">
                    <h2 id={`col-${s}`} class="flex items-center gap-2 text-sm font-semibold">
                      <StatusBadge status={s} />
                      <span class="tabular-nums text-slate-700">{counts?.[s] ?? "…"}</span>
                    </h2>
                    {grabbed && grabbed.from !== s && (
                      <button type="button" onClick={() => drop(s)} class="rounded px-2 py-0.5 text-xs font-medium text-indigo-800 ring-1 ring-indigo-300 hover:bg-white">
                        {t("moveHere")}
                      </button>
                    )}
                  </header>
                  <ul class="flex min-h-24 flex-col gap-2">
                    {(cols?.[s] ?? []).map((c) => (
                      <li
                        key={c.id}
                        data-contact-id={c.id}
                        onPointerDown={(e) => onPointerDown(e, c)}
                        class={`relative select-none rounded-md bg-white p-2.5 shadow-sm ring-1 ring-slate-200 ${drag?.id === c.id ? "opacity-40" : ""} ${grabbed?.id === c.id ? "ring-2 ring-indigo-600" : ""} cursor-grab`}
                      >
                        <div class="flex items-start gap-1">
                          <div class="min-w-0 flex-1">
                            <a
                              href={`/app/admin/contacts/${c.id}`}
                              draggable={false}
                              onClick={(e) => {
                                // the end of a drag that started on the name is not a click on it
                                if (dragged.current) {
                                  e.preventDefault();
                                  e.stopPropagation();
                                  dragged.current = false;
                                }
                              }}
                              class="block truncate font-medium text-indigo-700 hover:underline"
                            >
                              {nameOf(c)}
                            </a>
                            {c.phone && (
                              <div class="text-xs text-slate-600">
                                <Phone value={c.phone} />
                              </div>
                            )}
                            {c.tags.length > 0 && (
                              <div class="mt-1 flex flex-wrap gap-1">
                                {c.tags.slice(0, 3).map((tag) => (
                                  <Badge key={tag}>{tag}</Badge>
                                ))}
                              </div>
                            )}
                          </div>
                          <button
                            type="button"
                            data-grip
                            aria-label={t("moveContact", { name: nameOf(c) })}
                            aria-describedby="board-help"
                            aria-pressed={grabbed?.id === c.id}
                            onKeyDown={(e) => onGripKey(e, c)}
                            onClick={() => {
                              if (dragged.current) return void (dragged.current = false);
                              if (grabbed?.id === c.id) {
                                setGrabbed(undefined);
                                setAnnounce(t("moveCancelled"));
                              } else pickUp(c);
                            }}
                            class="-m-1 touch-none rounded p-1.5 text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
                          >
                            <GripVertical size={18} aria-hidden="true" />
                          </button>
                        </div>
                      </li>
                    ))}
                  </ul>
                  {counts && cols && counts[s] > cols[s].length && <p class="mt-2 px-1 text-xs text-slate-600">{t("moreInColumn", { n: counts[s] - cols[s].length })}</p>}
                </section>
              );
            })}
          </div>
        </div>
      </Card>
      {drag && (
        <div aria-hidden="true" class="pointer-events-none fixed z-50 w-56 rounded-md bg-white p-2.5 font-medium text-indigo-700 shadow-lg ring-2 ring-indigo-500" style={{ left: `${drag.x - 20}px`, top: `${drag.y - 16}px` }}>
          {drag.label}
        </div>
      )}
    </>
  );
}
