/**
 * Users and roles through the API (`app.request`, no server): invite with a one-time set-password link, role rules,
 * deactivate / reactivate (sessions end at once), reset, change one's own password.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { json, testApp, type TestApp } from "../support/app.ts";
import { runScenarios, type ApiScenario } from "../support/scenario.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let t: TestApp;
const who: Record<string, { id: number; token: string; cookie: string }> = {};
const bearer = (name: string) => () => ({ authorization: `Bearer ${who[name]!.token}` });
/** Links handed out by the scenarios, by name. */
const links: Record<string, string> = {};
const tokenOf = (url: string) => new URL(url).searchParams.get("token")!;
const me = async (token: string) => (await t.request("/api/auth/me", { headers: { authorization: `Bearer ${token}` } })).status;
const login = async (email: string, password: string, ip = "198.51.100.1") =>
  t.request("/api/auth/login", json({ email, password }, { "x-forwarded-for": ip }));

beforeAll(async () => {
  t = await testApp({ env: { PUBLIC_BASE_URL: "https://agent.example.com" } });
  who.owner = await t.user("owner@example.com", "owner");
  who.owner2 = await t.user("owner2@example.com", "owner");
  who.admin = await t.user("admin@example.com", "admin");
  who.agent = await t.user("agent@example.com", "agent");
  who.other = await t.user("other@example.com", "agent");
});

const target = { request: (path: string, init: RequestInit) => t.request(path, init) };
const idOf = (name: string) => who[name]!.id;

describe("listing", () => {
  runScenarios(target, [
    { name: "owner lists users without secrets", url: "/api/users", headers: bearer("owner"), expectedStatus: 200, expectedContent: ['"email":"agent@example.com"', '"active":true', '"invited":false'], notExpectedContent: ["passwordHash", "argon2"] },
    { name: "admin lists users", url: "/api/users", headers: bearer("admin"), expectedStatus: 200 },
    { name: "agent may not list users", url: "/api/users", headers: bearer("agent"), expectedStatus: 403, expectedContent: ['"code":"forbidden"'] },
    { name: "no session → 401", url: "/api/users", expectedStatus: 401 },
    { name: "one user", url: "/api/users/1", headers: bearer("admin"), expectedStatus: 200, expectedContent: ['"email":"owner@example.com"'] },
    { name: "unknown user → 404", url: "/api/users/9999", headers: bearer("admin"), expectedStatus: 404, expectedContent: ['"code":"not_found"'] },
    { name: "a user id that is not a number → 422", url: "/api/users/abc", headers: bearer("admin"), expectedStatus: 422, expectedContent: ['"field":"id"'] },
  ]);
});

describe("invitations", () => {
  runScenarios(target, [
    {
      name: "admin invites an agent: 201 with a one-time set-password link",
      method: "POST",
      url: "/api/users",
      headers: bearer("admin"),
      body: { email: "New.Agent@Example.com", role: "agent", name: "New Agent" },
      expectedStatus: 201,
      expectedContent: ['"email":"new.agent@example.com"', '"invited":true', '"setPasswordUrl":"https://agent.example.com/app/set-password?token=', '"expiresAt":'],
      after: ({ text }) => void (links.invite = JSON.parse(text).setPasswordUrl),
    },
    { name: "the invited user cannot sign in before setting a password", method: "POST", url: "/api/auth/login", body: { email: "new.agent@example.com", password: "anything-at-all" }, headers: { "x-forwarded-for": "198.51.100.50" }, expectedStatus: 401 },
    { name: "the link tells whom it is for", method: "POST", url: "/api/auth/set-password/check", body: { get token() { return tokenOf(links.invite!); } }, expectedStatus: 200, expectedContent: ['"email":"new.agent@example.com"', '"role":"agent"'] },
    { name: "a weak password is refused, naming the field", method: "POST", url: "/api/auth/set-password", body: { get token() { return tokenOf(links.invite!); }, password: "short" }, expectedStatus: 422, expectedContent: ['"field":"password"'] },
    {
      name: "setting the password signs the user in",
      method: "POST",
      url: "/api/auth/set-password",
      body: { get token() { return tokenOf(links.invite!); }, password: "new-agent-password" },
      expectedStatus: 200,
      expectedContent: ['"token":"', '"invited":false'],
      after: async ({ text, headers }) => {
        expect(headers.get("set-cookie")).toContain("Secure"); // PUBLIC_BASE_URL is https
        expect(await me(JSON.parse(text).token)).toBe(200);
        expect((await login("new.agent@example.com", "new-agent-password")).status).toBe(200);
      },
    },
    { name: "the link works once", method: "POST", url: "/api/auth/set-password", body: { get token() { return tokenOf(links.invite!); }, password: "another-password" }, expectedStatus: 401, expectedContent: ['"field":"token"'] },
    { name: "a tampered link is refused", method: "POST", url: "/api/auth/set-password/check", body: { get token() { return tokenOf(links.invite!).slice(0, -3) + "abc"; } }, expectedStatus: 401 },
    { name: "an invite for an existing email conflicts", method: "POST", url: "/api/users", headers: bearer("admin"), body: { email: "agent@example.com", role: "agent" }, expectedStatus: 409, expectedContent: ['"field":"email"'] },
    { name: "a bad email is refused, naming the field", method: "POST", url: "/api/users", headers: bearer("admin"), body: { email: "not-an-email" }, expectedStatus: 422, expectedContent: ['"field":"email"'] },
    { name: "an unknown role is refused", method: "POST", url: "/api/users", headers: bearer("owner"), body: { email: "x@example.com", role: "god" }, expectedStatus: 422, expectedContent: ['"field":"role"'] },
    { name: "only an owner invites an owner", method: "POST", url: "/api/users", headers: bearer("admin"), body: { email: "boss2@example.com", role: "owner" }, expectedStatus: 403, expectedContent: ["only an owner", '"field":"role"'] },
    { name: "an owner invites an owner", method: "POST", url: "/api/users", headers: bearer("owner"), body: { email: "boss3@example.com", role: "owner" }, expectedStatus: 201, expectedContent: ['"role":"owner"'] },
    { name: "an agent invites nobody", method: "POST", url: "/api/users", headers: bearer("agent"), body: { email: "y@example.com", role: "agent" }, expectedStatus: 403 },
    { name: "a user created with a password gets no link", method: "POST", url: "/api/users", headers: bearer("admin"), body: { email: "direct@example.com", role: "agent", password: "direct-password" }, expectedStatus: 201, notExpectedContent: ["setPasswordUrl"] },
  ]);
});

describe("roles", () => {
  runScenarios(target, [
    { name: "admin promotes an agent to admin and back", method: "PATCH", url: "", headers: bearer("admin"), body: { role: "admin" }, expectedStatus: 200, expectedContent: ['"role":"admin"'], target: "other", after: async () => {
      const back = await t.request(`/api/users/${idOf("other")}`, { ...json({ role: "agent" }, bearer("admin")()), method: "PATCH" });
      expect(back.status).toBe(200);
    } },
    { name: "admin renames an agent", method: "PATCH", url: "", headers: bearer("admin"), body: { name: "Renamed" }, expectedStatus: 200, expectedContent: ['"name":"Renamed"'], target: "agent" },
    { name: "admin cannot change an owner", method: "PATCH", url: "", headers: bearer("admin"), body: { name: "x" }, expectedStatus: 403, expectedContent: ["only an owner can change an owner"], target: "owner" },
    { name: "admin cannot make anyone an owner", method: "PATCH", url: "", headers: bearer("admin"), body: { role: "owner" }, expectedStatus: 403, expectedContent: ["only an owner can make an owner"], target: "agent" },
    { name: "nobody changes their own role", method: "PATCH", url: "", headers: bearer("owner"), body: { role: "admin" }, expectedStatus: 403, expectedContent: ["yourself"], target: "owner" },
    { name: "one may rename oneself", method: "PATCH", url: "", headers: bearer("admin"), body: { name: "Admin Person" }, expectedStatus: 200, target: "admin" },
    { name: "a patch with nothing to change is refused", method: "PATCH", url: "", headers: bearer("owner"), body: {}, expectedStatus: 422, target: "agent" },
    { name: "a patch that is not JSON is refused", method: "PATCH", url: "", headers: () => ({ ...bearer("owner")(), "content-type": "text/plain" }), rawBody: '{"role":"admin"}', expectedStatus: 415, target: "agent" },
    { name: "an agent changes nobody", method: "PATCH", url: "", headers: bearer("agent"), body: { name: "x" }, expectedStatus: 403, target: "other" },
  ].map(({ target: name, ...s }) => ({ ...s, get url() { return `/api/users/${idOf(name)}`; } })));

  test("an owner demotes another owner, but the last active owner can be neither demoted nor deactivated", async () => {
    const o3 = await t.user("owner3@example.com", "owner");
    const res = await t.request(`/api/users/${o3.id}`, { ...json({ role: "admin" }, bearer("owner")()), method: "PATCH" });
    expect(res.status).toBe(200);
    // two owners deactivating each other at once: the second finds itself the last active one → conflict
    const stale = t.services.users.byId(who.owner2!.id)!;
    const first = t.services.users.setActive(t.services.users.byId(who.owner!.id)!, who.owner2!.id, false);
    expect(first.active).toBe(false);
    const boss3 = t.services.users.byEmail("boss3@example.com")!; // invited owner, still active
    t.services.users.setActive(t.services.users.byId(who.owner!.id)!, boss3.id, false);
    expect(() => t.services.users.setActive(stale, who.owner!.id, false)).toThrow("last active owner");
    expect(() => t.services.users.update(stale, who.owner!.id, { role: "admin" })).toThrow("last active owner");
    expect(t.services.users.byId(who.owner!.id)!.active).toBe(true);
    // put things back for the scenarios below
    t.services.users.setActive(t.services.users.byId(who.owner!.id)!, who.owner2!.id, true);
    who.owner2 = await t.user("owner2@example.com", "owner");
  });
});

/** A scenario on `/api/users/:id/:action` of a named user (ids are known only once the users exist). */
type OnUser = Omit<ApiScenario, "url"> & { url: ""; target: [string, string] };

describe("deactivate, reactivate, reset", () => {
  runScenarios(target, ([
    { name: "nobody deactivates themselves", method: "POST", url: "", headers: bearer("owner"), expectedStatus: 403, expectedContent: ["yourself"], target: ["owner", "deactivate"] },
    { name: "admin cannot deactivate an owner", method: "POST", url: "", headers: bearer("admin"), expectedStatus: 403, target: ["owner2", "deactivate"] },
    {
      name: "admin deactivates an agent: their session stops working at once and they cannot sign in",
      method: "POST",
      url: "",
      headers: bearer("admin"),
      expectedStatus: 200,
      expectedContent: ['"active":false', '"revokedSessions":1'],
      target: ["agent", "deactivate"],
      after: async () => {
        expect(await me(who.agent!.token)).toBe(401);
        expect((await login("agent@example.com", "password-1234")).status).toBe(401);
      },
    },
    {
      name: "reactivated, the agent signs in again; the old session stays ended",
      method: "POST",
      url: "",
      headers: bearer("admin"),
      expectedStatus: 200,
      expectedContent: ['"active":true'],
      target: ["agent", "reactivate"],
      after: async () => {
        expect(await me(who.agent!.token)).toBe(401);
        who.agent = await t.user("agent@example.com", "agent");
        expect(await me(who.agent.token)).toBe(200);
      },
    },
    {
      name: "reset: a new one-time link; the old password, the old sessions and older links stop working",
      method: "POST",
      url: "",
      headers: bearer("admin"),
      expectedStatus: 200,
      expectedContent: ['"setPasswordUrl":"https://agent.example.com/app/set-password?token=', '"invited":true', '"revokedSessions":1'],
      target: ["agent", "reset-password"],
      after: async ({ text }) => {
        links.reset = JSON.parse(text).setPasswordUrl as string;
        expect(await me(who.agent!.token)).toBe(401);
        expect((await login("agent@example.com", "password-1234")).status).toBe(401);
        const again = await t.request(`/api/users/${idOf("agent")}/reset-password`, { method: "POST", headers: bearer("admin")() });
        links.reset2 = ((await again.json()) as { setPasswordUrl: string }).setPasswordUrl;
        const older = await t.request("/api/auth/set-password", json({ token: tokenOf(links.reset!), password: "agent-new-password" }));
        expect(older.status).toBe(401); // replaced by the second reset
        const used = await t.request("/api/auth/set-password", json({ token: tokenOf(links.reset2), password: "agent-new-password" }));
        expect(used.status).toBe(200);
        expect((await login("agent@example.com", "agent-new-password")).status).toBe(200);
      },
    },
    { name: "admin cannot reset an owner", method: "POST", url: "", headers: bearer("admin"), expectedStatus: 403, target: ["owner", "reset-password"] },
    { name: "a deactivated user's link does not work", method: "POST", url: "", headers: bearer("owner"), expectedStatus: 200, target: ["other", "deactivate"], after: async () => {
      const res = await t.request(`/api/users/${idOf("other")}/reset-password`, { method: "POST", headers: bearer("owner")() });
      const link = ((await res.json()) as { setPasswordUrl: string }).setPasswordUrl;
      expect((await t.request("/api/auth/set-password", json({ token: tokenOf(link), password: "whatever-123" }))).status).toBe(401);
    } },
  ] satisfies OnUser[]).map(({ target: [name, action], ...s }) => ({ ...s, get url() { return `/api/users/${idOf(name)}/${action}`; } })));
});

describe("changing one's own password", () => {
  test("wrong current password → 403 naming it; the right one changes it and ends the user's other sessions only", async () => {
    const first = await t.user("changer@example.com", "agent", "changer-password");
    const second = await t.user("changer@example.com", "agent", "changer-password");
    const change = (body: unknown) => t.request("/api/auth/password", json(body, { authorization: `Bearer ${second.token}`, "x-forwarded-for": "203.0.113.77" }));
    const wrong = await change({ currentPassword: "nope-nope", newPassword: "changed-password" });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain('"field":"currentPassword"');
    expect((await change({ currentPassword: "changer-password", newPassword: "short" })).status).toBe(422);
    const ok = await change({ currentPassword: "changer-password", newPassword: "changed-password" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { revokedSessions: number }).revokedSessions).toBe(1);
    expect(await me(first.token)).toBe(401);
    expect(await me(second.token)).toBe(200);
    expect((await login("changer@example.com", "changer-password")).status).toBe(401);
    expect((await login("changer@example.com", "changed-password")).status).toBe(200);
  });

  test("every change is in the audit log", () => {
    const actions = new Set<string>();
    for (const row of t.db.$client.query("SELECT action FROM audit_log").all() as Array<{ action: string }>) actions.add(row.action);
    for (const a of ["user.invite", "user.create", "user.update", "user.deactivate", "user.reactivate", "user.reset_password", "user.password_set", "user.password_change"]) expect(actions).toContain(a);
  });
});
