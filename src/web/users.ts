/**
 * The team, for owner pickers and assignees: owners and admins read GET /api/users (once per page view); an agent
 * cannot (403) and only ever assigns to themselves, so they get just themselves and the SPA never asks.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.ts";
import { canManage, me } from "./session.ts";
import type { User } from "./types.ts";

let cached: Promise<User[]> | undefined;

export function useUsers(): User[] {
  const self = me.value;
  const [users, setUsers] = useState<User[]>(self ? [self] : []);
  useEffect(() => {
    if (!canManage.value) return;
    cached ??= api<{ users: User[] }>("/api/users").then((r) => r.users);
    cached.then(setUsers, () => (cached = undefined));
  }, [canManage.value]);
  return users;
}

/** After a change to the team (invite, role, deactivation): the next reader asks again. */
export function usersChanged() {
  cached = undefined;
}

export const userName = (u: Pick<User, "name" | "email"> | undefined) => (u ? u.name || u.email : "—");
