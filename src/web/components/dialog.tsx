/**
 * A modal on the native <dialog> (showModal): focus moves into it and stays there, Escape closes it, the page
 * behind is inert, and focus returns to what opened it.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef } from "preact/hooks";
import { X } from "lucide-preact";
import { t } from "../i18n.ts";

export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
      class={`m-auto w-[calc(100%-1.5rem)] ${props.wide ? "max-w-3xl" : "max-w-lg"} max-h-[90dvh] rounded-xl bg-white p-0 text-slate-900 shadow-xl backdrop:bg-slate-900/50`}
    >
      {props.open && (
        <div class="flex max-h-[90dvh] flex-col">
          <div class="flex items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
            <h2 id={titleId} class="text-lg font-semibold">
              {props.title}
            </h2>
            <button type="button" onClick={props.onClose} class="rounded-md p-1.5 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600" aria-label={t("close")}>
              <X size={20} aria-hidden="true" />
            </button>
          </div>
          <div class="overflow-y-auto px-4 py-4">{props.children}</div>
        </div>
      )}
    </dialog>
  );
}
