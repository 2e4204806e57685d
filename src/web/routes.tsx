/**
 * The admin pages under /app/admin, in match order (the first matching path wins: a fixed path such as
 * /contacts/board or /settings/whatsapp goes before a parameter such as /contacts/:id or /settings/:tab).
 * Another area's page is one entry here plus its menu entry in nav.ts.
 */
import type { AnyComponent } from "preact";
import { CallDetailPage } from "./pages/call-detail.tsx";
import { CallsPage } from "./pages/calls.tsx";
import { BoardPage } from "./pages/contact-board.tsx";
import { ContactPage } from "./pages/contact-detail.tsx";
import { ContactsPage } from "./pages/contacts.tsx";
import { LivePage } from "./pages/live.tsx";
import { OverviewPage } from "./pages/overview.tsx";
import { SettingsPage } from "./pages/settings.tsx";
import { TasksPage } from "./pages/tasks.tsx";
import { InboxPage } from "./pages/inbox.tsx";
import { PaymentsPage } from "./pages/payments.tsx";
import { WhatsappSettingsPage } from "./pages/settings-whatsapp.tsx";
import { TestCallPage } from "./pages/test-call.tsx";

export interface AdminRoute {
  /** Below /app/admin. */
  path: string;
  component: AnyComponent<any>;
}

export const ADMIN_ROUTES: AdminRoute[] = [
  { path: "/overview", component: OverviewPage },
  { path: "/live", component: LivePage },
  { path: "/calls", component: CallsPage },
  { path: "/calls/:callSid", component: CallDetailPage },
  { path: "/contacts", component: ContactsPage },
  { path: "/contacts/board", component: BoardPage },
  { path: "/contacts/:id", component: ContactPage },
  { path: "/tasks", component: TasksPage },
  { path: "/test-call", component: TestCallPage },
  { path: "/inbox", component: InboxPage },
  { path: "/inbox/:contactId", component: InboxPage },
  { path: "/payments", component: PaymentsPage },
  { path: "/settings/whatsapp", component: WhatsappSettingsPage },
  { path: "/settings", component: SettingsPage },
  { path: "/settings/:tab", component: SettingsPage },
];
