/** Sub-pages as links (each one deep-linkable); the current one carries aria-current="page". */
import type { ComponentChildren } from "preact";

export interface TabLink {
  href: string;
  label: string;
  active: boolean;
  count?: number;
  icon?: ComponentChildren;
}

export function TabLinks(props: { label: string; items: TabLink[] }) {
  return (
    <nav aria-label={props.label} class="mb-4">
      <ul class="flex flex-wrap gap-x-1 border-b border-slate-200">
        {props.items.map((i) => (
          <li key={i.href}>
            <a
              href={i.href}
              aria-current={i.active ? "page" : undefined}
              class={`-mb-px inline-flex items-center gap-1.5 border-b-2 px-3 py-2 text-sm font-medium ${i.active ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-700 hover:border-slate-300 hover:text-slate-900"}`}
            >
              {i.icon}
              {i.label}
              {i.count !== undefined && <span class={`rounded-full px-1.5 text-xs ${i.active ? "bg-indigo-100" : "bg-slate-100"}`}>{i.count}</span>}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
