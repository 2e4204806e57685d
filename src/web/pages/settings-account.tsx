/** One's own account: who is signed in, the language of the app, and changing the password (other sessions end). */
import { useState } from "preact/hooks";
import { api, ApiError } from "../api.ts";
import { LangSwitch } from "../components/lang-switch.tsx";
import { Field, fieldError } from "../form.tsx";
import { t } from "../i18n.ts";
import { me } from "../session.ts";
import { Button, Card, ErrorLine, Facts, Notice } from "../ui.tsx";

export function AccountSettings() {
  const user = me.value!;
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState<number>();

  async function change(e: Event) {
    e.preventDefault();
    setDone(undefined);
    if (next !== repeat) return setError(new ApiError(422, "validation", t("passwordsDiffer"), "repeat"));
    try {
      const r = await api<{ revokedSessions: number }>("/api/auth/password", { body: { currentPassword: current, newPassword: next } });
      setCurrent("");
      setNext("");
      setRepeat("");
      setError(undefined);
      setDone(r.revokedSessions);
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, "error", String(err)));
    }
  }

  return (
    <div class="grid gap-4 lg:grid-cols-2">
      <Card title={t("yourAccount")}>
        <Facts
          items={[
            [t("name"), user.name ?? "—"],
            [t("email"), <bdi dir="ltr">{user.email}</bdi>],
            [t("role"), t(`role_${user.role}`)],
          ]}
        />
        <div class="mt-4">
          <div class="mb-1 text-sm font-medium text-slate-800">{t("appLanguage")}</div>
          <LangSwitch />
        </div>
      </Card>
      <Card title={t("changePassword")}>
        <form onSubmit={change} noValidate>
          {done !== undefined && <Notice message={t("passwordChanged", { n: done })} />}
          <ErrorLine message={error && !["currentPassword", "newPassword", "repeat"].includes(error.field ?? "") ? error.message : undefined} />
          <input type="email" name="username" autocomplete="username" value={user.email} readOnly hidden />
          <Field label={t("currentPassword")} name="currentPassword" type="password" autocomplete="current-password" value={current} onInput={setCurrent} required error={fieldError(error, "currentPassword")} />
          <Field label={t("newPassword")} name="newPassword" type="password" autocomplete="new-password" value={next} onInput={setNext} required hint={t("passwordHint")} error={fieldError(error, "newPassword")} />
          <Field label={t("repeatPassword")} name="repeat" type="password" autocomplete="new-password" value={repeat} onInput={setRepeat} required error={fieldError(error, "repeat")} />
          <Button type="submit" disabled={!current || !next}>
            {t("changePassword")}
          </Button>
        </form>
      </Card>
    </div>
  );
}
