/** Tasks (views, assignment, role limits, the callback a caller asked for) and notes on contacts. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { TaskService } from "../../src/crm/tasks.ts";
import { dayBounds, localParts, zonedTime } from "../../src/crm/time-zone.ts";
import { openDatabase } from "../../src/db/client.ts";
import { runAppScenarios, startHarness, type Harness } from "./crm-harness.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

const TZ = "Asia/Jerusalem";
let h: Harness;
let mine = 0; // the agent's contact
let theirs = 0; // the second agent's contact
beforeAll(async () => {
  h = await startHarness();
  await h.json("owner", "PUT", "/api/settings/business", { name: "Plumbers", timezone: TZ });
  mine = (await h.json("owner", "POST", "/api/contacts", { name: "Mine", phone: "0501000001", ownerId: h.ids.agent })).body.id;
  theirs = (await h.json("owner", "POST", "/api/contacts", { name: "Theirs", phone: "0501000002", ownerId: h.ids.agent2 })).body.id;
}, 30_000); // the server, four users and their password hashes take a while on a busy machine
afterAll(() => h.stop());

const titles = async (who: "owner" | "agent" | "agent2", query: string) => ((await h.json(who, "GET", `/api/tasks?${query}`)).body.items as Array<{ title: string }>).map((t) => t.title);

describe("tasks", () => {
  runAppScenarios(() => h, [
    { name: "list without a session → 401", as: "nobody", url: "/api/tasks", expectedStatus: 401 },
    { name: "create without a title → 422 naming title", as: "owner", method: "POST", url: "/api/tasks", body: { dueAt: "2030-01-01T10:00:00Z" }, expectedStatus: 422, expectedContent: ['"field":"title"'] },
    { name: "create with a due time that is not ISO → 422 naming dueAt", as: "owner", method: "POST", url: "/api/tasks", body: { title: "x", dueAt: "tomorrow" }, expectedStatus: 422, expectedContent: ['"field":"dueAt"'] },
    { name: "create for a contact that does not exist → 404 naming contactId", as: "owner", method: "POST", url: "/api/tasks", body: { title: "x", contactId: 9999 }, expectedStatus: 404, expectedContent: ['"field":"contactId"'] },
    { name: "create assigned to nobody who exists → 422 naming assigneeId", as: "owner", method: "POST", url: "/api/tasks", body: { title: "x", assigneeId: 9999 }, expectedStatus: 422, expectedContent: ['"field":"assigneeId"'] },
    { name: "an unknown view → 422 naming view", as: "owner", url: "/api/tasks?view=someday", expectedStatus: 422, expectedContent: ['"field":"view"'] },
    { name: "a bad time zone → 422 naming tz", as: "owner", url: "/api/tasks?tz=Mars/Olympus", expectedStatus: 422, expectedContent: ['"field":"tz"'] },
    { name: "agent creating a task on another's contact → 404", as: "agent", method: "POST", url: "/api/tasks", body: () => ({ title: "x", contactId: theirs }), expectedStatus: 404 },
    { name: "agent assigning a task to someone else → 403 naming assigneeId", as: "agent", method: "POST", url: "/api/tasks", body: { title: "x", assigneeId: 1 }, expectedStatus: 403, expectedContent: ['"field":"assigneeId"'] },
  ]);

  test("views in the business's time zone: today, overdue, upcoming, open, done; newest done first", async () => {
    const now = new Date();
    const { start, end } = dayBounds(TZ, now);
    const day = 24 * 3600_000;
    const make = async (title: string, dueAt: Date | null, extra: Record<string, unknown> = {}) =>
      (await h.json("owner", "POST", "/api/tasks", { title, dueAt: dueAt?.toISOString() ?? null, contactId: mine, ...extra })).body;
    await make("start of today", start);
    await make("end of today", new Date(end.getTime() - 1));
    await make("tomorrow", new Date(end.getTime() + day / 2));
    await make("yesterday", new Date(start.getTime() - day / 2));
    await make("no due time", null);
    const finished = await make("finished", start);
    expect((await h.json("owner", "PATCH", `/api/tasks/${finished.id}`, { done: true })).body).toMatchObject({ done: true, doneAt: expect.any(String) });

    expect(await titles("owner", "view=today")).toEqual(["start of today", "end of today"]);
    expect(await titles("owner", "view=overdue")).toEqual(["yesterday", "start of today"]);
    expect(await titles("owner", "view=upcoming")).toEqual(["tomorrow"]);
    expect(await titles("owner", "view=open")).toEqual(["yesterday", "start of today", "end of today", "tomorrow", "no due time"]);
    expect(await titles("owner", "view=done")).toEqual(["finished"]);
    // undone, it is open again
    await h.json("owner", "PATCH", `/api/tasks/${finished.id}`, { done: false });
    expect(await titles("owner", "view=done")).toEqual([]);
    await h.json("owner", "DELETE", `/api/tasks/${finished.id}`);
    // paging
    const page = (await h.json("owner", "GET", "/api/tasks?view=open&limit=2&page=2")).body;
    expect(page).toMatchObject({ total: 5, page: 2, limit: 2 });
    expect(page.items.map((t: any) => t.title)).toEqual(["end of today", "tomorrow"]);
  });

  test("assignee filter (me, none, id); an agent sees tasks of their contacts and tasks assigned to them, nobody else's", async () => {
    const o = await h.json("owner", "POST", "/api/tasks", { title: "for agent2, no contact", assigneeId: h.ids.agent2 });
    await h.json("owner", "POST", "/api/tasks", { title: "unassigned", assigneeId: null });
    await h.json("owner", "POST", "/api/tasks", { title: "on theirs", contactId: theirs });
    const agentTask = (await h.json("agent", "POST", "/api/tasks", { title: "agent's own" })).body;
    expect(agentTask).toMatchObject({ assigneeId: h.ids.agent, createdById: h.ids.agent, contactId: null });

    expect(await titles("owner", "view=all&assigneeId=none")).toEqual(["unassigned"]);
    expect(await titles("owner", `view=all&assigneeId=${h.ids.agent2}`)).toEqual(["for agent2, no contact"]);
    expect(await titles("agent2", "view=all")).toEqual(["on theirs", "for agent2, no contact"]);
    const agentSees = await titles("agent", "view=all&limit=200");
    expect(agentSees).toContain("agent's own");
    expect(agentSees).toContain("start of today"); // on the agent's contact, though the owner is its assignee
    expect(agentSees).not.toContain("unassigned");
    expect(agentSees).not.toContain("on theirs");
    expect(await titles("agent", "view=all&assigneeId=me")).toEqual(["agent's own"]);
    // another's task: 404 to read, change or delete
    expect((await h.json("agent", "GET", `/api/tasks/${o.body.id}`)).status).toBe(404);
    expect((await h.json("agent", "PATCH", `/api/tasks/${o.body.id}`, { done: true })).status).toBe(404);
    expect((await h.json("agent", "DELETE", `/api/tasks/${o.body.id}`)).status).toBe(404);
    // the assignee may close it
    expect((await h.json("agent2", "PATCH", `/api/tasks/${o.body.id}`, { done: true })).body.done).toBe(true);
    // an agent cannot move their task onto a contact they do not own
    expect((await h.json("agent", "PATCH", `/api/tasks/${agentTask.id}`, { contactId: theirs })).status).toBe(404);
    expect(h.sql("SELECT count(*) AS n FROM audit_log WHERE action IN ('task.create', 'task.update', 'task.delete')")[0]).toMatchObject({ n: expect.any(Number) });
  });

  test("the callback a caller asked for (created by the call's dialog tool): due when they said, assigned to the contact's owner, in lists and the timeline", async () => {
    const db = openDatabase(join(h.server.dataDir, "agentlocator.db"));
    try {
      const callId = (h.sql("INSERT INTO calls (call_sid, contact_id) VALUES ('CAcallback', ?) RETURNING id", mine)[0] as { id: number }).id;
      // the same service and method the dialog tool uses during a call
      new TaskService(db, { timezone: () => TZ }).scheduleCallback({ contactId: mine, callId, dueText: "מחר בעשר", notes: "a leaking tap", title: "Call back Mine" });
    } finally {
      db.$client.close();
    }
    const today = localParts(TZ, new Date());
    const tomorrowAt10 = zonedTime(TZ, today.year, today.month, today.day + 1, 10, 0).toISOString();
    const task = (await h.json("agent", "GET", "/api/tasks?view=upcoming&kind=callback")).body.items[0];
    expect(task).toMatchObject({ title: "Call back Mine", kind: "callback", dueText: "מחר בעשר", dueAt: tomorrowAt10, callSid: "CAcallback", contactId: mine, contactName: "Mine", assigneeId: h.ids.agent, notes: "a leaking tap" });
    const timeline = (await h.json("agent", "GET", `/api/contacts/${mine}/timeline?kinds=task,call`)).body.items;
    expect(timeline.map((i: any) => i.kind)).toContain("call");
    expect(timeline.find((i: any) => i.data.taskKind === "callback")?.data).toMatchObject({ dueText: "מחר בעשר", dueAt: tomorrowAt10 });
  });
});

describe("notes", () => {
  runAppScenarios(() => h, [
    { name: "an empty note → 422 naming text", as: "owner", method: "POST", url: () => `/api/contacts/${mine}/notes`, body: { text: "   " }, expectedStatus: 422, expectedContent: ['"field":"text"'] },
    { name: "notes of a contact that does not exist → 404", as: "owner", url: "/api/contacts/9999/notes", expectedStatus: 404 },
    { name: "agent reading another's notes → 404", as: "agent", url: () => `/api/contacts/${theirs}/notes`, expectedStatus: 404 },
  ]);

  test("add (201, with the author), list newest first and paged, edit and delete by the author or an owner only", async () => {
    const first = await h.json("agent", "POST", `/api/contacts/${mine}/notes`, { text: "ביקש הצעת מחיר" });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ contactId: mine, text: "ביקש הצעת מחיר", authorId: h.ids.agent, authorName: "Agent One" });
    const byOwner = (await h.json("owner", "POST", `/api/contacts/${mine}/notes`, { text: "owner's note" })).body;
    const list = (await h.json("agent", "GET", `/api/contacts/${mine}/notes?limit=1`)).body;
    expect(list).toMatchObject({ total: 2, page: 1, limit: 1, items: [{ text: "owner's note" }] });

    expect((await h.json("agent", "PATCH", `/api/contacts/${mine}/notes/${first.body.id}`, { text: "ביקש הצעת מחיר לשני חדרים" })).body.text).toBe("ביקש הצעת מחיר לשני חדרים");
    expect((await h.json("agent", "PATCH", `/api/contacts/${mine}/notes/${byOwner.id}`, { text: "mine now" })).status).toBe(403);
    expect((await h.json("agent", "DELETE", `/api/contacts/${mine}/notes/${byOwner.id}`)).status).toBe(403);
    // a note id of another contact → 404
    expect((await h.json("owner", "DELETE", `/api/contacts/${theirs}/notes/${first.body.id}`)).status).toBe(404);
    expect((await h.req("owner", "DELETE", `/api/contacts/${mine}/notes/${first.body.id}`)).status).toBe(204);
    expect((await h.json("agent", "GET", `/api/contacts/${mine}/notes`)).body.total).toBe(1);
    const actions = (h.sql("SELECT action FROM audit_log WHERE action LIKE 'note.%' ORDER BY id") as Array<{ action: string }>).map((a) => a.action);
    expect(actions).toEqual(["note.create", "note.create", "note.update", "note.delete"]);
  });
});
