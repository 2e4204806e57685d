import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError } from "../api.ts";
import { t } from "../i18n.ts";
import { Button, Card, ErrorLine, Field } from "../ui.tsx";

/** First-run page opened from the one-time link the server prints: creates the owner account. */
export function SetupPage() {
  const { route, query } = useLocation();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();

  async function submit(e: Event) {
    e.preventDefault();
    try {
      await api("/api/auth/setup", { body: { token: query.token ?? "", email, password, name } });
      route("/app/admin/overview");
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t("error"));
    }
  }

  return (
    <div class="mx-auto mt-24 max-w-sm">
      <Card title={t("setupTitle")}>
        <p class="mb-4 text-sm text-slate-600">{t("setupHint")}</p>
        <form onSubmit={submit}>
          <ErrorLine message={error} />
          <Field label={t("name")} name="name" value={name} onInput={setName} />
          <Field label={t("email")} name="email" type="email" autocomplete="username" value={email} onInput={setEmail} />
          <Field label={t("password")} name="password" type="password" autocomplete="new-password" value={password} onInput={setPassword} />
          <Button type="submit">{t("create")}</Button>
        </form>
      </Card>
    </div>
  );
}
