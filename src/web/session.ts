/**
 * Who is signed in. Asked once at start from GET /api/auth/session, which answers 200 `{user}` or `{user:null}` —
 * never 401 — so a signed-out visit leaves no failed request in the browser's console.
 * `me`: undefined while asking, null when signed out.
 */
import { computed, signal } from "@preact/signals";
import { abortRequests, api, SIGNED_OUT } from "./api.ts";
import type { User } from "./types.ts";

export const me = signal<User | null | undefined>(undefined);

/** Owners and admins manage users, settings and imports; agents work their own contacts. */
export const canManage = computed(() => me.value?.role === "owner" || me.value?.role === "admin");

if (typeof addEventListener === "function") addEventListener(SIGNED_OUT, () => (me.value = null));

export async function loadSession(): Promise<User | null> {
  const { user } = await api<{ user: User | null }>("/api/auth/session");
  me.value = user;
  return user;
}

export async function signOut(): Promise<void> {
  // the pages go first (nothing new is asked for a signed-out user), then what they asked is dropped, then the
  // session is revoked: no request can reach the server after the revocation and log a 401
  me.value = null;
  abortRequests();
  await api("/api/auth/logout", { method: "POST" }).catch(() => undefined);
}

/** Where the sign-in page sends the user back to: only a page of this app (never another site). */
export const safeNext = (next: string | undefined): string => (next && /^\/app\/admin\/[\w-]/.test(next) ? next : "/app/admin/overview");
