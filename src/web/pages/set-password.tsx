/**
 * /app/set-password?token=… — an invited user (or one whose password was reset) chooses a password from the
 * one-time link an owner or admin handed them, and is signed in. The link is checked first (who it is for).
 */
import { useEffect, useState } from "preact/hooks";
import { useLocation } from "preact-iso";
import { api, ApiError } from "../api.ts";
import { Field, fieldError } from "../form.tsx";
import { t } from "../i18n.ts";
import { me } from "../session.ts";
import type { User } from "../types.ts";
import { Button, ErrorLine, Loading } from "../ui.tsx";
import { AuthLayout } from "./auth-layout.tsx";

export function SetPasswordPage() {
  const { route, query } = useLocation();
  const token = query.token ?? "";
  const [who, setWho] = useState<{ email: string; name: string | null } | null>();
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    if (!token) return setWho(null);
    api<{ user: { email: string; name: string | null } }>("/api/auth/set-password/check", { body: { token } }).then(
      (r) => setWho(r.user),
      () => setWho(null),
    );
  }, [token]);

  async function submit(e: Event) {
    e.preventDefault();
    if (password !== repeat) return setError(new ApiError(422, "validation", t("passwordsDiffer"), "repeat"));
    try {
      const { user } = await api<{ user: User }>("/api/auth/set-password", { body: { token, password } });
      me.value = user;
      route("/app/admin/overview");
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "error", t("error")));
    }
  }

  if (who === undefined) return <Loading />;
  return (
    <AuthLayout title={t("setPasswordTitle")}>
      {who === null ? (
        <>
          <ErrorLine message={t("linkInvalid")} />
          <a href="/app/login" class="text-indigo-700 underline">
            {t("goToSignIn")}
          </a>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <p class="mb-4 text-sm text-slate-700">
            {t("setPasswordFor")} <bdi class="font-medium">{who.email}</bdi>
          </p>
          <ErrorLine message={error && !["password", "repeat"].includes(error.field ?? "") ? error.message : undefined} />
          <input type="email" name="username" autocomplete="username" value={who.email} readOnly hidden />
          <Field label={t("newPassword")} name="password" type="password" autocomplete="new-password" value={password} onInput={setPassword} required hint={t("passwordHint")} error={fieldError(error, "password")} />
          <Field label={t("repeatPassword")} name="repeat" type="password" autocomplete="new-password" value={repeat} onInput={setRepeat} required error={fieldError(error, "repeat")} />
          <Button type="submit" class="mt-2 w-full">
            {t("setPassword")}
          </Button>
        </form>
      )}
    </AuthLayout>
  );
}
