/**
 * The admin SPA: routes under /app, Hebrew (RTL) by default with an English switch. Whether someone is signed in
 * is asked once (GET /api/auth/session, always 200); signed-out visits to /app/admin/* go to the sign-in page and
 * come back after it.
 */
import { render } from "preact";
import { useEffect } from "preact/hooks";
import { LocationProvider, Route, Router, useLocation } from "preact-iso";
import { Shell } from "./components/shell.tsx";
import { applyLang, lang, t } from "./i18n.ts";
import { applyLiveEvent, loadLiveCalls, pruneLiveCalls } from "./live-calls.ts";
import { startLive, stopLive, useLive } from "./live.ts";
import { LoginPage } from "./pages/login.tsx";
import { NotFoundPage } from "./pages/not-found.tsx";
import { SetPasswordPage } from "./pages/set-password.tsx";
import { SetupPage } from "./pages/setup.tsx";
import { ADMIN_ROUTES } from "./routes.tsx";
import { loadSession, me } from "./session.ts";
import { Loading } from "./ui.tsx";

function Admin() {
  const { url, route } = useLocation();
  const user = me.value;
  useEffect(() => {
    if (user === null) route(`/app/login?next=${encodeURIComponent(url)}`, true);
  }, [user]);
  useEffect(() => {
    if (!user) return;
    startLive();
    void loadLiveCalls().catch(() => undefined);
    const prune = setInterval(pruneLiveCalls, 30_000);
    return () => {
      clearInterval(prune);
      stopLive();
    };
  }, [user?.id]);
  useLive(applyLiveEvent);
  if (!user) return <Loading />;
  return (
    <Shell>
      <Router>
        {ADMIN_ROUTES.map((r) => (
          <Route key={r.path} path={r.path} component={r.component} />
        ))}
        <Route default component={NotFoundPage} />
      </Router>
    </Shell>
  );
}

/** /app and anything unknown outside /app/admin: to the overview (or sign-in). */
function Home() {
  const { route } = useLocation();
  useEffect(() => route(me.value ? "/app/admin/overview" : "/app/login", true), []);
  return <Loading />;
}

function App() {
  // reading lang.value subscribes the whole tree to the language switch
  void lang.value;
  if (me.value === undefined) return <Loading />;
  return (
    <LocationProvider scope="/app">
      <Router>
        <Route path="/app/login" component={LoginPage} />
        <Route path="/app/setup" component={SetupPage} />
        <Route path="/app/set-password" component={SetPasswordPage} />
        <Route path="/app/admin/*" component={Admin} />
        <Route default component={Home} />
      </Router>
    </LocationProvider>
  );
}

applyLang(lang.value);
document.title = t("appName");
render(<App />, document.getElementById("root")!);
void loadSession().catch(() => (me.value = null));
