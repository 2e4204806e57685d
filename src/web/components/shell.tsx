/**
 * The signed-in layout. Desktop (≥ 1024 px): a menu along the start side (right in Hebrew) with the user, the
 * language switch and sign-out. Phone: a top bar and a bottom bar with the main pages; "more" opens the full menu.
 * A "skip to content" link comes first; every page renders into <main>.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { LogOut, Menu } from "lucide-preact";
import { t } from "../i18n.ts";
import { liveCalls } from "../live-calls.ts";
import { liveState } from "../live.ts";
import { isCurrent, NAV, type NavItem } from "../nav.ts";
import { me, signOut } from "../session.ts";
import { Dialog } from "./dialog.tsx";
import { LangSwitch } from "./lang-switch.tsx";
import { Logo } from "./logo.tsx";

function useActiveCalls() {
  return liveCalls.value.filter((c) => !c.ended).length;
}

function NavLink(props: { item: NavItem; path: string; dark?: boolean; onClick?: () => void }) {
  const { item, path } = props;
  const current = isCurrent(path, item.href);
  const Icon = item.icon;
  const active = useActiveCalls();
  return (
    <a
      href={item.href}
      onClick={props.onClick}
      aria-current={current ? "page" : undefined}
      class={`flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium ${
        props.dark ? (current ? "bg-slate-800 text-white" : "text-slate-300 hover:bg-slate-800 hover:text-white") : current ? "bg-indigo-50 text-indigo-800" : "text-slate-800 hover:bg-slate-100"
      }`}
    >
      <Icon size={18} aria-hidden="true" />
      <span class="flex-1">{t(item.key)}</span>
      {item.key === "liveCalls" && active > 0 && <span class="rounded-full bg-emerald-500 px-1.5 text-xs font-semibold text-white">{active}</span>}
    </a>
  );
}

function UserBox(props: { dark?: boolean; onSignOut: () => void }) {
  const user = me.value;
  if (!user) return null;
  return (
    <div class={`space-y-2 text-sm ${props.dark ? "text-slate-300" : "text-slate-700"}`}>
      <div class="min-w-0">
        <div class={`truncate font-medium ${props.dark ? "text-white" : "text-slate-900"}`}>{user.name || user.email}</div>
        {user.name && <div class="truncate text-xs">{user.email}</div>}
        <div class="text-xs">{t(`role_${user.role}`)}</div>
      </div>
      <div class="flex flex-wrap items-center gap-2">
        <LangSwitch dark={props.dark} />
        <button
          type="button"
          onClick={props.onSignOut}
          class={`inline-flex items-center gap-1.5 rounded-md px-2.5 py-1.5 font-medium focus-visible:outline-2 focus-visible:outline-indigo-500 ${props.dark ? "text-slate-200 hover:bg-slate-800" : "text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"}`}
        >
          <LogOut size={16} aria-hidden="true" class="rtl:-scale-x-100" />
          {t("signOut")}
        </button>
      </div>
      <div class="flex items-center gap-1.5 text-xs" role="status">
        <span class={`inline-block h-2 w-2 rounded-full ${liveState.value === "open" ? "bg-emerald-400" : "bg-amber-400"}`} aria-hidden="true" />
        {liveState.value === "open" ? t("liveOn") : t("liveReconnecting")}
      </div>
    </div>
  );
}

export function Shell(props: { children: ComponentChildren }) {
  const { path, route } = useLocation();
  const [more, setMore] = useState(false);
  useEffect(() => setMore(false), [path]);
  const out = () => void signOut().then(() => route("/app/login"));
  return (
    <div class="min-h-dvh">
      <a href="#main" class="sr-only z-50 rounded bg-white px-3 py-2 text-indigo-800 shadow focus:not-sr-only focus:fixed focus:start-2 focus:top-2">
        {t("skipToContent")}
      </a>
      <aside class="fixed inset-y-0 start-0 z-30 hidden w-60 flex-col bg-slate-900 px-3 py-4 lg:flex">
        <a href="/app/admin/overview" class="mb-6 flex items-center px-2 text-white">
          <Logo withName />
        </a>
        <nav aria-label={t("mainMenu")} class="flex-1 overflow-y-auto">
          <ul class="space-y-1">
            {NAV.map((item) => (
              <li key={item.href}>
                <NavLink item={item} path={path} dark />
              </li>
            ))}
          </ul>
        </nav>
        <div class="border-t border-slate-700 px-2 pt-4">
          <UserBox dark onSignOut={out} />
        </div>
      </aside>

      <header class="sticky top-0 z-20 flex h-14 items-center justify-between border-b border-slate-200 bg-white px-4 lg:hidden">
        <a href="/app/admin/overview" class="text-slate-900">
          <Logo withName size={28} />
        </a>
        <LangSwitch />
      </header>

      <main id="main" tabIndex={-1} class="min-w-0 px-4 pt-4 pb-24 focus:outline-none sm:px-6 lg:ms-60 lg:px-8 lg:py-6">
        <div class="mx-auto max-w-6xl">{props.children}</div>
      </main>

      <nav aria-label={t("quickMenu")} class="fixed inset-x-0 bottom-0 z-20 border-t border-slate-200 bg-white pb-[env(safe-area-inset-bottom)] lg:hidden">
        <ul class="grid grid-cols-5">
          {NAV.filter((i) => i.bottom).map((item) => {
            const Icon = item.icon;
            const current = isCurrent(path, item.href);
            return (
              <li key={item.href}>
                <a href={item.href} aria-current={current ? "page" : undefined} class={`flex flex-col items-center gap-0.5 py-2 text-xs font-medium ${current ? "text-indigo-700" : "text-slate-700"}`}>
                  <Icon size={22} aria-hidden="true" />
                  {t(item.key)}
                </a>
              </li>
            );
          })}
          <li>
            <button type="button" onClick={() => setMore(true)} aria-haspopup="dialog" class="flex w-full flex-col items-center gap-0.5 py-2 text-xs font-medium text-slate-700">
              <Menu size={22} aria-hidden="true" />
              {t("more")}
            </button>
          </li>
        </ul>
      </nav>
      <Dialog open={more} title={t("menu")} onClose={() => setMore(false)}>
        <nav aria-label={t("mainMenu")}>
          <ul class="space-y-1">
            {NAV.map((item) => (
              <li key={item.href}>
                <NavLink item={item} path={path} onClick={() => setMore(false)} />
              </li>
            ))}
          </ul>
        </nav>
        <div class="mt-4 border-t border-slate-200 pt-4">
          <UserBox onSignOut={out} />
        </div>
      </Dialog>
    </div>
  );
}
