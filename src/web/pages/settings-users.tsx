/**
 * The team (owners and admins): invite someone (they get a one-time set-password link, shown here to copy and
 * hand over), change a role, reset a password (a new link; their sessions end), deactivate and reactivate.
 */
import { Copy, KeyRound, UserPlus } from "lucide-preact";
import { useState } from "preact/hooks";
import { api, ApiError, errorText } from "../api.ts";
import { Dialog } from "../components/dialog.tsx";
import { Field, fieldError, Select } from "../form.tsx";
import { dateTime } from "../format.ts";
import { useApi } from "../hooks.ts";
import { t } from "../i18n.ts";
import { me } from "../session.ts";
import type { Role, User } from "../types.ts";
import { Badge, Button, Card, ErrorLine, Loading } from "../ui.tsx";
import { usersChanged } from "../users.ts";

function LinkBox(props: { url: string; expiresAt: string; who: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.url);
      setCopied(true);
    } catch {
      // no clipboard access (an insecure origin): the text is selected for a manual copy instead
      (document.getElementById("set-password-link") as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div>
      <p class="mb-2 text-sm text-slate-800">{t("linkFor", { who: props.who, when: dateTime(props.expiresAt) })}</p>
      <label for="set-password-link" class="sr-only">
        {t("setPasswordLink")}
      </label>
      <div class="flex gap-2">
        <input id="set-password-link" readOnly value={props.url} dir="ltr" class="block w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs" onFocus={(e) => (e.target as HTMLInputElement).select()} />
        <Button variant="secondary" small onClick={copy}>
          <Copy size={16} aria-hidden="true" />
          {copied ? t("copied") : t("copy")}
        </Button>
      </div>
      <p class="mt-2 text-xs text-slate-600">{t("linkOnce")}</p>
    </div>
  );
}

export function UsersSettings() {
  const res = useApi<{ users: User[] }>("/api/users");
  const [inviting, setInviting] = useState(false);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const [inviteError, setInviteError] = useState<ApiError>();
  const [link, setLink] = useState<{ url: string; expiresAt: string; who: string }>();
  const [error, setError] = useState<string>();
  const self = me.value!;
  const roles: Role[] = self.role === "owner" ? ["owner", "admin", "agent"] : ["admin", "agent"];

  const after = () => {
    usersChanged();
    res.reload();
  };
  const act = async (path: string, body?: unknown) => {
    try {
      const r = await api<{ user: User; setPasswordUrl?: string; expiresAt?: string }>(path, { method: body ? "PATCH" : "POST", body });
      setError(undefined);
      after();
      return r;
    } catch (e) {
      setError(errorText(e));
    }
  };
  async function invite(e: Event) {
    e.preventDefault();
    try {
      const r = await api<{ user: User; setPasswordUrl: string; expiresAt: string }>("/api/users", { body: { email, name: name || undefined, role } });
      setInviteError(undefined);
      setLink({ url: r.setPasswordUrl, expiresAt: r.expiresAt, who: r.user.email });
      setEmail("");
      setName("");
      after();
    } catch (err) {
      setInviteError(err instanceof ApiError ? err : new ApiError(0, "error", String(err)));
    }
  }

  return (
    <Card
      title={t("team")}
      actions={
        <Button
          small
          onClick={() => {
            setLink(undefined);
            setInviting(true);
          }}
        >
          <UserPlus size={16} aria-hidden="true" />
          {t("invite")}
        </Button>
      }
    >
      <ErrorLine message={error ?? res.error} />
      {!res.data ? (
        !res.error && <Loading />
      ) : (
        <ul class="divide-y divide-slate-100">
          {res.data.users.map((u) => {
            const mayManage = u.id !== self.id && (self.role === "owner" || u.role !== "owner");
            return (
              <li key={u.id} class="flex flex-wrap items-center gap-x-4 gap-y-2 py-3" data-user={u.email}>
                <div class="min-w-0 flex-1">
                  <div class="font-medium text-slate-900">
                    <bdi>{u.name || u.email}</bdi>
                    {u.id === self.id && <span class="ms-1 text-sm text-slate-600">({t("you")})</span>}
                  </div>
                  {u.name && (
                    <div class="truncate text-sm text-slate-600">
                      <bdi dir="ltr">{u.email}</bdi>
                    </div>
                  )}
                  <div class="mt-1 flex flex-wrap gap-1 text-xs">
                    {!u.active && <Badge tone="red">{t("deactivated")}</Badge>}
                    {u.invited && <Badge tone="amber">{t("invited")}</Badge>}
                    {u.lastLoginAt && <span class="text-slate-600">{t("lastSignIn", { when: dateTime(u.lastLoginAt) })}</span>}
                  </div>
                </div>
                <div class="w-36">
                  <Select
                    label={t("roleOf", { who: u.name || u.email })}
                    hideLabel
                    class="!mb-0"
                    value={u.role}
                    disabled={!mayManage}
                    onChange={(v) => act(`/api/users/${u.id}`, { role: v })}
                    options={(mayManage ? roles : [u.role]).map((r) => ({ value: r, label: t(`role_${r}`) }))}
                  />
                </div>
                {mayManage && (
                  <div class="flex gap-2">
                    <Button
                      small
                      variant="secondary"
                      onClick={async () => {
                        const r = await act(`/api/users/${u.id}/reset-password`);
                        if (r?.setPasswordUrl) {
                          setLink({ url: r.setPasswordUrl, expiresAt: r.expiresAt!, who: u.email });
                          setInviting(true);
                        }
                      }}
                    >
                      <KeyRound size={16} aria-hidden="true" />
                      {t("resetPassword")}
                    </Button>
                    {u.active ? (
                      <Button small variant="danger" onClick={() => act(`/api/users/${u.id}/deactivate`)}>
                        {t("deactivate")}
                      </Button>
                    ) : (
                      <Button small variant="secondary" onClick={() => act(`/api/users/${u.id}/reactivate`)}>
                        {t("reactivate")}
                      </Button>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <Dialog open={inviting} title={link ? t("setPasswordLink") : t("invite")} onClose={() => setInviting(false)}>
        {link ? (
          <LinkBox {...link} />
        ) : (
          <form onSubmit={invite} noValidate>
            <ErrorLine message={inviteError && !["email", "role", "name"].includes(inviteError.field ?? "") ? inviteError.message : undefined} />
            <Field label={t("email")} name="email" type="email" value={email} onInput={setEmail} required error={fieldError(inviteError, "email")} autocomplete="off" />
            <Field label={t("name")} name="name" value={name} onInput={setName} error={fieldError(inviteError, "name")} autocomplete="off" />
            <Select label={t("role")} name="role" value={role} onChange={(v) => setRole(v as Role)} options={roles.map((r) => ({ value: r, label: t(`role_${r}`) }))} error={fieldError(inviteError, "role")} />
            <p class="mb-3 text-xs text-slate-600">{t("roleHelp")}</p>
            <Button type="submit" disabled={!email}>
              {t("sendInvite")}
            </Button>
          </form>
        )}
      </Dialog>
    </Card>
  );
}
