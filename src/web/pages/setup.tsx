/** First-run page opened from the one-time link the server prints: creates the owner account and signs in. */
import { useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError } from "../api.ts";
import { Field, fieldError } from "../form.tsx";
import { t } from "../i18n.ts";
import { me } from "../session.ts";
import type { User } from "../types.ts";
import { Button, ErrorLine } from "../ui.tsx";
import { AuthLayout } from "./auth-layout.tsx";

export function SetupPage() {
  const { route, query } = useLocation();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<ApiError>();

  async function submit(e: Event) {
    e.preventDefault();
    try {
      const { user } = await api<{ user: User }>("/api/auth/setup", { body: { token: query.token ?? "", email, password, name } });
      me.value = user;
      route("/app/admin/overview");
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "error", t("error")));
    }
  }

  const general = error && !["email", "password", "name"].includes(error.field ?? "") ? error.message : undefined;
  return (
    <AuthLayout title={t("setupTitle")}>
      <p class="mb-4 text-sm text-slate-700">{t("setupHint")}</p>
      <form onSubmit={submit} noValidate>
        <ErrorLine message={general} />
        <Field label={t("name")} name="name" autocomplete="name" value={name} onInput={setName} error={fieldError(error, "name")} />
        <Field label={t("email")} name="email" type="email" autocomplete="username" value={email} onInput={setEmail} required error={fieldError(error, "email")} />
        <Field label={t("password")} name="password" type="password" autocomplete="new-password" value={password} onInput={setPassword} required hint={t("passwordHint")} error={fieldError(error, "password")} />
        <Button type="submit" class="mt-2 w-full">
          {t("create")}
        </Button>
      </form>
    </AuthLayout>
  );
}
