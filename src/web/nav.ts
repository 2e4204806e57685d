/**
 * The admin app's menu: one entry per page. `bottom` entries are also in the phone's bottom bar (the rest are
 * under "more"). Another area's page is one entry here plus its <Route> in routes.tsx.
 */
import { CreditCard, LayoutDashboard, ListChecks, MessageCircle, Phone, PhoneCall, Radio, Settings, Users } from "lucide-preact";
import type { Key } from "./i18n.ts";
import type { IconComponent } from "./ui.tsx";

export interface NavItem {
  href: string;
  key: Key;
  icon: IconComponent;
  bottom?: boolean;
}

export const NAV: NavItem[] = [
  { href: "/app/admin/overview", key: "overview", icon: LayoutDashboard, bottom: true },
  { href: "/app/admin/live", key: "liveCalls", icon: Radio },
  { href: "/app/admin/calls", key: "calls", icon: Phone, bottom: true },
  { href: "/app/admin/contacts", key: "contacts", icon: Users, bottom: true },
  { href: "/app/admin/inbox", key: "inbox", icon: MessageCircle },
  { href: "/app/admin/tasks", key: "tasks", icon: ListChecks, bottom: true },
  { href: "/app/admin/payments", key: "payments", icon: CreditCard },
  { href: "/app/admin/settings", key: "settings", icon: Settings },
  { href: "/app/admin/test-call", key: "testCall", icon: PhoneCall },
];

/** Whether `path` is the entry's page or one below it. */
export const isCurrent = (path: string, href: string) => path === href || path.startsWith(`${href}/`);
