import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError } from "../api.ts";
import { t } from "../i18n.ts";
import { Button, Card, ErrorLine, Field } from "../ui.tsx";

export function LoginPage() {
  const { route } = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();

  async function submit(e: Event) {
    e.preventDefault();
    try {
      await api("/api/auth/login", { body: { email, password } });
      route("/app/admin/overview");
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t("tooMany") : t("wrongLogin"));
    }
  }

  return (
    <div class="mx-auto mt-24 max-w-sm">
      <Card title={t("login")}>
        <form onSubmit={submit}>
          <ErrorLine message={error} />
          <Field label={t("email")} name="email" type="email" autocomplete="username" value={email} onInput={setEmail} />
          <Field label={t("password")} name="password" type="password" autocomplete="current-password" value={password} onInput={setPassword} />
          <Button type="submit">{t("signIn")}</Button>
        </form>
      </Card>
    </div>
  );
}
