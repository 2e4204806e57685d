/** Small shared UI pieces (Tailwind classes in one place): buttons, cards, badges, notices, page headers, paging. */
import type { ComponentChildren } from "preact";
import type { LucideIcon } from "lucide-preact";
import { useEffect } from "preact/hooks";
import { displayPhone } from "./format.ts";
import { t } from "./i18n.ts";

type Variant = "primary" | "secondary" | "danger" | "ghost";
const VARIANTS: Record<Variant, string> = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-700 shadow-sm",
  secondary: "bg-white text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50",
  danger: "bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50",
  ghost: "text-slate-700 hover:bg-slate-100",
};
export const buttonClass = (variant: Variant = "primary", small = false) =>
  `inline-flex items-center justify-center gap-1.5 rounded-md font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:opacity-50 ${small ? "px-2.5 py-1.5 text-sm" : "px-4 py-2"} ${VARIANTS[variant]}`;

export function Button(props: {
  children: ComponentChildren;
  type?: "submit" | "button";
  variant?: Variant;
  small?: boolean;
  disabled?: boolean;
  onClick?: (e: MouseEvent) => void;
  class?: string;
  label?: string;
  form?: string;
  /** A toggle button's state (aria-pressed). */
  pressed?: boolean;
}) {
  return (
    <button type={props.type ?? "button"} form={props.form} onClick={props.onClick} disabled={props.disabled} aria-label={props.label} aria-pressed={props.pressed} class={`${buttonClass(props.variant, props.small)} ${props.class ?? ""}`}>
      {props.children}
    </button>
  );
}

export function Card(props: { title?: string; actions?: ComponentChildren; children: ComponentChildren; class?: string; id?: string }) {
  return (
    <section id={props.id} aria-label={props.title} class={`rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5 ${props.class ?? ""}`}>
      {(props.title || props.actions) && (
        <div class="mb-3 flex flex-wrap items-center justify-between gap-2">
          {props.title && <h2 class="text-base font-semibold text-slate-900">{props.title}</h2>}
          {props.actions && <div class="flex flex-wrap items-center gap-2">{props.actions}</div>}
        </div>
      )}
      {props.children}
    </section>
  );
}

export function ErrorLine(props: { message?: string }) {
  return props.message ? (
    <p role="alert" class="mb-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
      {props.message}
    </p>
  ) : null;
}

export function Notice(props: { message?: string; children?: ComponentChildren }) {
  return props.message || props.children ? (
    <div role="status" class="mb-3 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900 ring-1 ring-emerald-200">
      {props.message}
      {props.children}
    </div>
  ) : null;
}

type Tone = "slate" | "indigo" | "emerald" | "amber" | "red" | "sky" | "violet";
const TONES: Record<Tone, string> = {
  slate: "bg-slate-100 text-slate-700",
  indigo: "bg-indigo-50 text-indigo-800",
  emerald: "bg-emerald-50 text-emerald-800",
  amber: "bg-amber-50 text-amber-900",
  red: "bg-red-50 text-red-800",
  sky: "bg-sky-50 text-sky-800",
  violet: "bg-violet-50 text-violet-800",
};
export function Badge(props: { tone?: Tone; children: ComponentChildren; class?: string }) {
  return <span class={`inline-flex items-center gap-1 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${TONES[props.tone ?? "slate"]} ${props.class ?? ""}`}>{props.children}</span>;
}

const STATUS_TONES: Record<string, Tone> = { new: "sky", contacted: "indigo", qualified: "violet", proposal: "amber", won: "emerald", lost: "slate" };
export function StatusBadge(props: { status: string }) {
  return <Badge tone={STATUS_TONES[props.status] ?? "slate"}>{t(`status_${props.status}` as "status_new")}</Badge>;
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="py-6 text-center text-sm text-slate-600">{props.children}</p>;
}

export function Loading() {
  return (
    <p role="status" class="py-6 text-center text-sm text-slate-600">
      {t("loading")}
    </p>
  );
}

/** The page's <h1> and its actions; also the document's title. */
export function PageHeader(props: { title: string; actions?: ComponentChildren; children?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · AgentLocator`;
  }, [props.title]);
  return (
    <div class="mb-4 flex flex-wrap items-center justify-between gap-3">
      <div class="min-w-0">
        <h1 class="truncate text-xl font-bold text-slate-900 sm:text-2xl">{props.title}</h1>
        {props.children}
      </div>
      {props.actions && <div class="flex flex-wrap items-center gap-2">{props.actions}</div>}
    </div>
  );
}

/** A phone number, always left to right (isolated from the Hebrew around it), in the local form. */
export function Phone(props: { value: string | null | undefined; link?: boolean }) {
  if (!props.value) return <span>—</span>;
  const text = displayPhone(props.value);
  return props.link ? (
    <a href={`tel:${props.value}`} dir="ltr" class="whitespace-nowrap text-indigo-700 underline-offset-2 hover:underline">
      {text}
    </a>
  ) : (
    <bdi dir="ltr" class="whitespace-nowrap">
      {text}
    </bdi>
  );
}

export function Pager(props: { page: number; total: number; limit: number; onPage: (p: number) => void }) {
  const pages = Math.max(1, Math.ceil(props.total / props.limit));
  if (pages <= 1) return null;
  return (
    <nav aria-label={t("paging")} class="mt-4 flex items-center justify-center gap-3 text-sm">
      <Button variant="secondary" small disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        {t("previous")}
      </Button>
      <span>{t("pageOf", { page: props.page, pages })}</span>
      <Button variant="secondary" small disabled={props.page >= pages} onClick={() => props.onPage(props.page + 1)}>
        {t("next")}
      </Button>
    </nav>
  );
}

/** A label/value list (contact details, call facts). */
export function Facts(props: { items: Array<[string, ComponentChildren]>; wide?: boolean }) {
  return (
    <dl class={`grid grid-cols-2 gap-x-4 gap-y-3 text-sm ${props.wide ? "sm:grid-cols-3" : ""}`}>
      {props.items.map(([label, value]) => (
        <div key={label} class="min-w-0">
          <dt class="text-slate-600">{label}</dt>
          <dd class="break-words font-medium text-slate-900">{value ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

export type IconComponent = LucideIcon;
