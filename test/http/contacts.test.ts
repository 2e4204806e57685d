/** Contacts API: auth, validation, create/read/update/delete, search by phone in any form, filters, paging, role limits, merge, timeline. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runAppScenarios, startHarness, type Harness } from "./crm-harness.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let h: Harness;
const ids: Record<string, number> = {};
beforeAll(async () => {
  h = await startHarness();
  // a shop's book: Dana (the owner's), Yossi and Rina (the agent's), Avi (the second agent's)
  const make = async (body: Record<string, unknown>) => (await h.json("owner", "POST", "/api/contacts", body)).body.id as number;
  ids.dana = await make({ name: "דנה כהן", phone: "+972501234567", email: "dana@example.com", tags: ["VIP", "צפון"] });
  ids.yossi = await make({ name: "Yossi Levi", phone: "052-765-4321", status: "qualified", ownerId: h.ids.agent, tags: ["north"] });
  ids.rina = await make({ name: "Rina", email: "rina@example.org", ownerId: h.ids.agent });
  ids.avi = await make({ name: "Avi", phone: "+14155550100", ownerId: h.ids.agent2, status: "won" });
}, 30_000); // the server, four users and their password hashes take a while on a busy machine
afterAll(() => h.stop());

describe("auth and validation", () => {
  runAppScenarios(() => h, [
    { name: "list without a session → 401", as: "nobody", url: "/api/contacts", expectedStatus: 401, expectedContent: ['"code":"unauthorized"'] },
    { name: "create without a session → 401", as: "nobody", method: "POST", url: "/api/contacts", body: { name: "x" }, expectedStatus: 401 },
    { name: "create with nothing to know them by → 422 naming name", as: "owner", method: "POST", url: "/api/contacts", body: { tags: ["x"] }, expectedStatus: 422, expectedContent: ['"field":"name"', "a name, a phone or an email"] },
    { name: "create with a bad phone → 422 naming phone", as: "owner", method: "POST", url: "/api/contacts", body: { name: "x", phone: "12" }, expectedStatus: 422, expectedContent: ['"field":"phone"', "is not a phone number"] },
    { name: "create with a bad email → 422 naming email", as: "owner", method: "POST", url: "/api/contacts", body: { name: "x", email: "nope" }, expectedStatus: 422, expectedContent: ['"field":"email"'] },
    { name: "create with an unknown status → 422 naming status", as: "owner", method: "POST", url: "/api/contacts", body: { name: "x", status: "hot" }, expectedStatus: 422, expectedContent: ['"field":"status"', "new, contacted, qualified, proposal, won, lost"] },
    { name: "create with an owner who does not exist → 422 naming ownerId", as: "owner", method: "POST", url: "/api/contacts", body: { name: "x", ownerId: 999 }, expectedStatus: 422, expectedContent: ['"field":"ownerId"'] },
    { name: "create with an undefined custom field → 422 naming it", as: "owner", method: "POST", url: "/api/contacts", body: { name: "x", fields: { shoe: 42 } }, expectedStatus: 422, expectedContent: ['"field":"fields.shoe"'] },
    { name: "malformed JSON → 400", as: "owner", method: "POST", url: "/api/contacts", body: "{name:", headers: { "content-type": "application/json" }, expectedStatus: 400, expectedContent: ['"code":"bad_json"'] },
    { name: "a page of 0 → 422 naming page", as: "owner", url: "/api/contacts?page=0", expectedStatus: 422, expectedContent: ['"field":"page"'] },
    { name: "a limit over 200 → 422 naming limit", as: "owner", url: "/api/contacts?limit=500", expectedStatus: 422, expectedContent: ['"field":"limit"'] },
    { name: "an unknown status filter → 422", as: "owner", url: "/api/contacts?status=new,hot", expectedStatus: 422, expectedContent: ['"field":"status.1"'] },
    { name: "a contact id that is not a number → 404", as: "owner", url: "/api/contacts/abc", expectedStatus: 404 },
    { name: "a contact that does not exist → 404", as: "owner", url: "/api/contacts/99999", expectedStatus: 404, expectedContent: ['"code":"not_found"'] },
  ]);

  test("a second contact with the same number in another form → 409 naming phone and the contact to merge with", async () => {
    const r = await h.json("owner", "POST", "/api/contacts", { name: "Dana again", phone: "050-123-4567" });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: "conflict", field: "phone" });
    expect(r.body.error.message).toContain(`contact ${ids.dana}`);
  });

  test("parallel creates of one number: exactly one succeeds, the rest conflict", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => h.json("owner", "POST", "/api/contacts", { name: `Racer ${i}`, phone: `053-000-00${10 + (i % 1)}` })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    const found = await h.json("owner", "GET", "/api/contacts?q=053-000-0010");
    expect(found.body.total).toBe(1);
    await h.json("owner", "DELETE", `/api/contacts/${found.body.items[0].id}`);
  });
});

describe("create, read, update", () => {
  test("create answers 201 with the contract's shape, the phone in E.164, tags lower-cased, the first status in the history", async () => {
    const r = await h.json("owner", "POST", "/api/contacts", { name: "  Moshe  ", phone: "+972 54 111 2222", tags: ["Lead", "lead", "Tel Aviv"], need: "a kitchen" });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body)).toEqual(expect.arrayContaining(["id", "name", "phone", "email", "status", "tags", "ownerId", "fields", "createdAt", "lastContactAt"]));
    expect(r.body).toMatchObject({ name: "Moshe", phone: "+972541112222", email: null, status: "new", tags: ["lead", "tel aviv"], ownerId: null, fields: {}, lastContactAt: null, need: "a kitchen", source: "manual" });
    const timeline = await h.json("owner", "GET", `/api/contacts/${r.body.id}/timeline`);
    expect(timeline.body.items).toEqual([expect.objectContaining({ kind: "status", data: expect.objectContaining({ from: null, to: "new", actorId: h.ids.owner }) })]);
    const audit = h.sql("SELECT action, actor_id AS actorId, target FROM audit_log WHERE action = 'contact.create' AND target = ?", String(r.body.id));
    expect(audit).toEqual([{ action: "contact.create", actorId: h.ids.owner, target: String(r.body.id) }]);
  });

  test("PATCH changes only what it names; a status move lands in the history with who moved it; null clears; the number stays unique", async () => {
    const id = ids.yossi!;
    const before = (await h.json("agent", "GET", `/api/contacts/${id}`)).body;
    const r = await h.json("agent", "PATCH", `/api/contacts/${id}`, { status: "proposal", email: "yossi@example.com", tags: ["north", "Kitchen"] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: "Yossi Levi", phone: before.phone, status: "proposal", email: "yossi@example.com", tags: ["north", "kitchen"], ownerId: h.ids.agent });
    expect((await h.json("agent", "PATCH", `/api/contacts/${id}`, { email: null })).body.email).toBeNull();
    const history = (await h.json("agent", "GET", `/api/contacts/${id}/timeline?kinds=status`)).body.items.map((i: any) => [i.data.from, i.data.to, i.data.actorId]);
    expect(history).toEqual([
      ["qualified", "proposal", h.ids.agent],
      [null, "qualified", h.ids.owner],
    ]);
    const clash = await h.json("agent", "PATCH", `/api/contacts/${id}`, { phone: "0501234567" });
    expect(clash.status).toBe(409);
    // the agent cannot see Dana: the conflict does not name her
    expect(clash.body.error.message).not.toMatch(/contact \d/);
  });

  test("parallel status moves keep a consistent history: each recorded move starts where the previous ended", async () => {
    const id = (await h.json("owner", "POST", "/api/contacts", { name: "Busy", phone: "0549990000" })).body.id;
    const moves = ["contacted", "qualified", "proposal", "won", "lost", "contacted", "qualified", "proposal"];
    await Promise.all(moves.map((status) => h.json("owner", "PATCH", `/api/contacts/${id}`, { status })));
    const items = (await h.json("owner", "GET", `/api/contacts/${id}/timeline?kinds=status&limit=100`)).body.items.reverse();
    for (let i = 1; i < items.length; i++) expect(items[i].data.from).toBe(items[i - 1].data.to);
    const final = (await h.json("owner", "GET", `/api/contacts/${id}`)).body.status;
    expect(items.at(-1).data.to).toBe(final);
    await h.json("owner", "DELETE", `/api/contacts/${id}`);
  });

  test("GET one contact includes its other addresses", async () => {
    const r = await h.json("owner", "GET", `/api/contacts/${ids.dana}`);
    expect(r.body).toMatchObject({ id: ids.dana, phone: "+972501234567", identities: [] });
  });
});

describe("search and filters", () => {
  const names = async (who: "owner" | "agent", query: string) => ((await h.json(who, "GET", `/api/contacts?${query}`)).body.items as Array<{ name: string }>).map((c) => c.name).sort();

  test("a phone number in any written form finds the contact, also partially", async () => {
    for (const q of ["050-123-4567", "0501234567", "+972 50 123 4567", "+972501234567", "00972501234567", "123-4567", "50123", "(050) 123"])
      expect(await names("owner", `q=${encodeURIComponent(q)}`)).toEqual(["דנה כהן"]);
    expect(await names("owner", "q=415-555")).toEqual(["Avi"]);
  });

  test("q matches name (Hebrew too), email and tags; LIKE wildcards are literal", async () => {
    expect(await names("owner", `q=${encodeURIComponent("כהן")}`)).toEqual(["דנה כהן"]);
    expect(await names("owner", "q=example.org")).toEqual(["Rina"]);
    expect(await names("owner", `q=${encodeURIComponent("צפון")}`)).toEqual(["דנה כהן"]);
    expect(await names("owner", "q=%25")).toEqual([]);
    expect(await names("owner", "q=_")).toEqual([]);
  });

  test("filters: status (one or several), tag, owner (id, me, none), last contact", async () => {
    expect(await names("owner", "status=won")).toEqual(["Avi"]);
    expect(await names("owner", "status=won,proposal")).toEqual(["Avi", "Yossi Levi"]);
    expect(await names("owner", "tag=vip")).toEqual(["דנה כהן"]);
    expect(await names("owner", `ownerId=${h.ids.agent}`)).toEqual(["Rina", "Yossi Levi"]);
    expect(await names("agent", "ownerId=me")).toEqual(["Rina", "Yossi Levi"]);
    expect(await names("owner", "ownerId=none&q=example.com")).toEqual(["דנה כהן"]);
    h.sql("UPDATE contacts SET last_contact_at = ? WHERE id = ?", Date.parse("2025-01-10T12:00:00Z"), ids.rina!);
    expect(await names("owner", "lastContactAfter=2025-01-01&lastContactBefore=2025-02-01")).toEqual(["Rina"]);
    expect(await names("owner", "neverContacted=false")).toEqual(["Rina"]);
  });

  test("paging: {items,total,page,limit}, pages do not overlap, sorting by name", async () => {
    const p1 = (await h.json("owner", "GET", "/api/contacts?limit=2&page=1&sort=name&order=asc")).body;
    const p2 = (await h.json("owner", "GET", "/api/contacts?limit=2&page=2&sort=name&order=asc")).body;
    expect(p1).toMatchObject({ page: 1, limit: 2 });
    expect(p1.items).toHaveLength(2);
    expect(p1.total).toBeGreaterThanOrEqual(4);
    expect(p2.total).toBe(p1.total);
    expect(p1.items.map((c: any) => c.id)).not.toContain(p2.items[0].id);
    expect(p1.items[0].name <= p1.items[1].name).toBe(true);
  });

  test("pipeline counts per status and tags in use, within the user's scope", async () => {
    const all = (await h.json("owner", "GET", "/api/contacts/pipeline")).body.statuses;
    expect(Object.keys(all)).toEqual(["new", "contacted", "qualified", "proposal", "won", "lost"]);
    expect(all.won).toBeGreaterThanOrEqual(1);
    const mine = (await h.json("agent", "GET", "/api/contacts/pipeline")).body.statuses;
    expect(mine.won).toBe(0);
    expect(Object.values(mine).reduce((a: number, b) => a + (b as number), 0)).toBe(2);
    const tags = (await h.json("agent", "GET", "/api/contacts/tags")).body.tags.map((t: any) => t.tag);
    expect(tags).toContain("north");
    expect(tags).not.toContain("vip");
  });
});

describe("role limits: an agent works only with their own contacts", () => {
  runAppScenarios(() => h, [
    { name: "agent lists only their own", as: "agent", url: "/api/contacts?limit=200", expectedStatus: 200, expectedContent: ["Yossi Levi", "Rina"], notExpectedContent: ["Avi", "dana@example.com"] },
    { name: "agent reading another's contact → 404 (not 403)", as: "agent", url: () => `/api/contacts/${ids.avi}`, expectedStatus: 404, notExpectedContent: ["Avi"] },
    { name: "agent reading an unassigned contact → 404", as: "agent", url: () => `/api/contacts/${ids.dana}`, expectedStatus: 404 },
    { name: "agent changing another's contact → 404", as: "agent", method: "PATCH", url: () => `/api/contacts/${ids.avi}`, body: { status: "lost" }, expectedStatus: 404 },
    { name: "agent reading another's timeline → 404", as: "agent", url: () => `/api/contacts/${ids.avi}/timeline`, expectedStatus: 404 },
    { name: "agent adding a note to another's contact → 404", as: "agent", method: "POST", url: () => `/api/contacts/${ids.avi}/notes`, body: { text: "x" }, expectedStatus: 404 },
    { name: "agent giving a contact away → 403 naming ownerId", as: "agent", method: "PATCH", url: () => `/api/contacts/${ids.rina}`, body: { ownerId: 1 }, expectedStatus: 403, expectedContent: ['"field":"ownerId"'] },
    { name: "agent deleting → 403 (owners and admins delete)", as: "agent", method: "DELETE", url: () => `/api/contacts/${ids.rina}`, expectedStatus: 403 },
    { name: "agent merging another's contact → 404 naming dropId", as: "agent", method: "POST", url: "/api/contacts/merge", body: () => ({ keepId: ids.rina, dropId: ids.avi }), expectedStatus: 404, expectedContent: ['"field":"dropId"'] },
    { name: "admin sees every contact", as: "admin", url: () => `/api/contacts/${ids.avi}`, expectedStatus: 200, expectedContent: ["Avi"] },
  ]);

  test("a contact an agent creates is theirs, even if they name no owner", async () => {
    const r = await h.json("agent2", "POST", "/api/contacts", { name: "Mine" });
    expect(r.body.ownerId).toBe(h.ids.agent2);
    expect((await h.json("agent", "GET", `/api/contacts/${r.body.id}`)).status).toBe(404);
  });
});

describe("merge and delete", () => {
  test("merge moves calls, messages, tasks, notes and payments, keeps the dropped number as an address; both must be visible", async () => {
    const keep = (await h.json("owner", "POST", "/api/contacts", { name: "Keep", phone: "0521110000", tags: ["a"] })).body.id;
    const drop = (await h.json("owner", "POST", "/api/contacts", { name: "Drop", phone: "0521110001", email: "drop@example.com", tags: ["b"] })).body.id;
    h.sql("INSERT INTO calls (call_sid, contact_id, from_number) VALUES ('CAmerge1', ?, '+972521110001')", drop);
    h.sql("INSERT INTO messages (contact_id, direction, channel, provider_id, status, text) VALUES (?, 'in', 'twilio', 'SMmerge1', 'received', 'שלום')", drop);
    h.sql("INSERT INTO payments (reference, contact_id, amount, currency, description, provider) VALUES ('ref-merge', ?, 5000, 'ILS', 'deposit', 'paypal')", drop);
    await h.json("owner", "POST", `/api/contacts/${drop}/notes`, { text: "a note on drop" });
    await h.json("owner", "POST", "/api/tasks", { title: "follow up", contactId: drop });

    const r = await h.json("owner", "POST", "/api/contacts/merge", { keepId: keep, dropId: drop });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: keep, name: "Keep", phone: "+972521110000", email: "drop@example.com", tags: ["a", "b"] });
    expect((await h.json("owner", "GET", `/api/contacts/${drop}`)).status).toBe(404);
    const kinds = (await h.json("owner", "GET", `/api/contacts/${keep}/timeline`)).body.items.map((i: any) => i.kind).sort();
    expect(kinds).toEqual(["call", "message", "note", "payment", "status", "status", "task"]);
    expect((await h.json("owner", "GET", "/api/contacts?q=0521110001")).body.items.map((c: any) => c.id)).toEqual([keep]);
    expect((await h.json("owner", "GET", `/api/contacts/${keep}`)).body.identities).toEqual([{ kind: "phone", value: "+972521110001" }]);
    expect((await h.json("owner", "POST", "/api/contacts/merge", { keepId: keep, dropId: keep })).status).toBe(422);
    expect(h.sql("SELECT count(*) AS n FROM audit_log WHERE action = 'contact.merge'")).toEqual([{ n: 1 }]);
  });

  test("delete: 204, the contact's notes and tasks go, its calls stay without a contact", async () => {
    const id = (await h.json("owner", "POST", "/api/contacts", { name: "Gone", phone: "0521119999" })).body.id;
    h.sql("INSERT INTO calls (call_sid, contact_id) VALUES ('CAgone', ?)", id);
    await h.json("owner", "POST", `/api/contacts/${id}/notes`, { text: "bye" });
    expect((await h.req("admin", "DELETE", `/api/contacts/${id}`)).status).toBe(204);
    expect((await h.json("owner", "GET", `/api/contacts/${id}`)).status).toBe(404);
    expect(h.sql("SELECT contact_id AS c FROM calls WHERE call_sid = 'CAgone'")).toEqual([{ c: null }]);
    expect(h.sql("SELECT count(*) AS n FROM notes WHERE contact_id = ?", id)).toEqual([{ n: 0 }]);
    expect((await h.req("admin", "DELETE", `/api/contacts/${id}`)).status).toBe(404);
  });
});

describe("timeline", () => {
  test("calls, messages, tasks, notes, payments and status changes, newest first, paged exactly", async () => {
    const id = (await h.json("owner", "POST", "/api/contacts", { name: "Timeline", phone: "0537770000" })).body.id;
    const t = (iso: string) => Date.parse(iso);
    h.sql("UPDATE contact_status_history SET at = ? WHERE contact_id = ?", t("2025-01-01T08:00:00Z"), id);
    h.sql("INSERT INTO calls (call_sid, contact_id, started_at, outcome, duration_s) VALUES ('CAtl', ?, ?, 'lead_saved', 42)", id, t("2025-01-02T08:00:00Z"));
    h.sql("INSERT INTO messages (contact_id, direction, channel, provider_id, status, text, at) VALUES (?, 'out', 'baileys', 'WAtl', 'delivered', 'נתראה', ?)", id, t("2025-01-03T08:00:00Z"));
    h.sql("INSERT INTO payments (reference, contact_id, amount, currency, description, provider, status, created_at) VALUES ('ref-tl', ?, 12000, 'ILS', 'visit', 'tranzila', 'paid', ?)", id, t("2025-01-04T08:00:00Z"));
    h.sql("INSERT INTO notes (contact_id, text, created_at) VALUES (?, 'note', ?)", id, t("2025-01-05T08:00:00Z"));
    h.sql("INSERT INTO tasks (contact_id, title, kind, due_text, created_at) VALUES (?, 'Call back', 'callback', 'מחר בעשר', ?)", id, t("2025-01-06T08:00:00Z"));

    const all = (await h.json("owner", "GET", `/api/contacts/${id}/timeline`)).body;
    expect(all.total).toBe(6);
    expect(all.items.map((i: any) => i.kind)).toEqual(["task", "note", "payment", "message", "call", "status"]);
    expect(all.items[0].data).toMatchObject({ title: "Call back", taskKind: "callback", dueText: "מחר בעשר", done: false });
    expect(all.items[2].data).toMatchObject({ amount: 12000, currency: "ILS", status: "paid", provider: "tranzila" });
    expect(all.items[3].data).toMatchObject({ direction: "out", channel: "baileys", text: "נתראה", status: "delivered" });
    expect(all.items[4]).toMatchObject({ id: "CAtl", data: { outcome: "lead_saved", durationS: 42 } });
    const page2 = (await h.json("owner", "GET", `/api/contacts/${id}/timeline?limit=4&page=2`)).body;
    expect(page2).toMatchObject({ total: 6, page: 2, limit: 4 });
    expect(page2.items.map((i: any) => i.kind)).toEqual(["call", "status"]);
    const some = (await h.json("owner", "GET", `/api/contacts/${id}/timeline?kinds=call,note`)).body;
    expect(some.items.map((i: any) => i.kind)).toEqual(["note", "call"]);
    expect((await h.json("owner", "GET", `/api/contacts/${id}/timeline?kinds=tweet`)).status).toBe(422);
  });
});
