/** Sign in with email and password; back to the page that sent you here (`?next=`). */
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError } from "../api.ts";
import { Field } from "../form.tsx";
import { t } from "../i18n.ts";
import { me, safeNext } from "../session.ts";
import type { User } from "../types.ts";
import { Button, ErrorLine } from "../ui.tsx";
import { AuthLayout } from "./auth-layout.tsx";

export function LoginPage() {
  const { route, query } = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const next = safeNext(query.next);
  useEffect(() => {
    if (me.value) route(next, true);
  }, []);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      const { user } = await api<{ user: User }>("/api/auth/login", { body: { email, password } });
      me.value = user;
      route(next);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t("tooMany") : t("wrongLogin"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthLayout title={t("login")}>
      <form onSubmit={submit} noValidate>
        <ErrorLine message={error} />
        <Field label={t("email")} name="email" type="email" autocomplete="username" value={email} onInput={setEmail} required />
        <Field label={t("password")} name="password" type="password" autocomplete="current-password" value={password} onInput={setPassword} required />
        <Button type="submit" disabled={busy} class="mt-2 w-full">
          {t("signIn")}
        </Button>
      </form>
    </AuthLayout>
  );
}
