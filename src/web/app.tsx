/** The admin SPA: routes under /app, Hebrew (RTL) by default with an English switch. */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { api } from "./api.ts";
import { applyLang, lang, t, type Key } from "./i18n.ts";
import { CallDetailPage, CallsPage } from "./pages/calls.tsx";
import { LoginPage } from "./pages/login.tsx";
import { EmptyPage, OverviewPage } from "./pages/overview.tsx";
import { SetupPage } from "./pages/setup.tsx";
import { TestCallPage } from "./pages/test-call.tsx";
import { InboxPage } from "./pages/inbox.tsx";
import { WhatsappSettingsPage } from "./pages/settings-whatsapp.tsx";
import { PaymentsPage } from "./pages/payments.tsx";

const NAV: Array<[string, Key]> = [
  ["overview", "overview"],
  ["calls", "calls"],
  ["contacts", "contacts"],
  ["inbox", "inbox"],
  ["tasks", "tasks"],
  ["payments", "payments"],
  ["settings", "settings"],
  ["test-call", "testCall"],
];

function Shell() {
  const { path, route } = useLocation();
  const [me, setMe] = useState<{ email: string } | null>();
  useEffect(() => {
    api<{ user: { email: string } }>("/api/auth/me").then(
      (r) => setMe(r.user),
      () => {
        setMe(null);
        route("/app/login");
      },
    );
  }, []);
  if (!me) return null;
  return (
    <div class="flex min-h-screen">
      <nav class="w-56 shrink-0 bg-slate-900 p-4 text-slate-100">
        <div class="mb-6 text-lg font-bold">{t("appName")}</div>
        <ul class="space-y-1">
          {NAV.map(([slug, key]) => (
            <li key={slug}>
              <a href={`/app/admin/${slug}`} class={`block rounded px-3 py-2 hover:bg-slate-800 ${path.startsWith(`/app/admin/${slug}`) ? "bg-slate-800" : ""}`}>
                {t(key)}
              </a>
            </li>
          ))}
        </ul>
        <div class="mt-8 space-y-2 text-sm text-slate-400">
          <div>{me.email}</div>
          <button class="underline" onClick={() => api("/api/auth/logout", { method: "POST" }).then(() => route("/app/login"))}>
            {t("signOut")}
          </button>
        </div>
      </nav>
      <main class="flex-1 p-8">
        {/* nested routes match the path below /app/admin */}
        <Router>
          <Route path="/overview" component={OverviewPage} />
          <Route path="/calls" component={CallsPage} />
          <Route path="/calls/:callSid" component={CallDetailPage} />
          <Route path="/test-call" component={TestCallPage} />
          <Route path="/inbox" component={InboxPage} />
          <Route path="/inbox/:contactId" component={InboxPage} />
          <Route path="/settings/whatsapp" component={WhatsappSettingsPage} />
          <Route path="/payments" component={PaymentsPage} />
          {NAV.slice(2).map(([slug, key]) => (
            <Route path={`/${slug}/*`} component={() => <EmptyPage title={t(key)} />} />
          ))}
          <Route default component={OverviewPage} />
        </Router>
      </main>
    </div>
  );
}

function App() {
  // reading lang.value subscribes the whole tree to the language switch
  const current = lang.value;
  return (
    <LocationProvider>
      <button class="fixed top-3 end-3 rounded bg-white px-3 py-1 text-sm shadow ring-1 ring-slate-200" onClick={() => applyLang(current === "he" ? "en" : "he")}>
        {t("language")}
      </button>
      <Router>
        <Route path="/app/login" component={LoginPage} />
        <Route path="/app/setup" component={SetupPage} />
        <Route path="/app/admin/*" component={Shell} />
        <Route default component={Shell} />
      </Router>
    </LocationProvider>
  );
}

applyLang(lang.value);
render(<App />, document.getElementById("root")!);
