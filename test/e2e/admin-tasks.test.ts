/**
 * Tasks in a real browser, as the owner works them: create a task for a contact, assign it, re-assign it in place and
 * complete it. Open dialogs are checked with axe too; nothing may reach the console.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { agentId, api, owner, useAdminServer } from "../support/admin-server.ts";
import { auditPage, chromiumAvailable } from "../support/browser.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

useAdminServer();

/** The contact the task is for. */
beforeAll(async () => {
  if (!chromiumAvailable) return;
  await api("/api/contacts", { body: { name: "גלית", phone: "052-333-4444" } });
});

describe.skipIf(!chromiumAvailable)("tasks", () => {
  test(
    "create a task for a contact due today, assign it, see it on the contact's page, complete it; it moves to done",
    async () => {
      const { page } = owner;
      await page.goto("/app/admin/tasks");
      await page.click("main >> text=משימה חדשה");
      await page.fill('dialog[open] input[name="title"]', "להתקשר לגלית");
      // in an hour, unless that is tomorrow already: then a minute from now
      const due = new Date(Date.now() + 60 * 60_000);
      const when = due.getDate() === new Date().getDate() ? due : new Date(Date.now() + 60_000);
      const local = new Date(when.getTime() - when.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      await page.fill('dialog[open] input[name="dueAt"]', local);
      await page.selectOption('dialog[open] select[name="assigneeId"]', String(agentId));
      await page.fill("dialog[open] input[type=search]", "גלית");
      await page.click('dialog[open] li button:has-text("גלית")');
      await auditPage(page, "task-new-dialog-desktop-he");
      await page.click('dialog[open] button[type="submit"]');
      const item = page.locator("main li[data-task-id]", { hasText: "להתקשר לגלית" });
      await item.waitFor();
      expect(await item.innerText()).toContain("גלית");
      const task = (await api("/api/tasks?view=today")).body.items.find((x: { title: string }) => x.title === "להתקשר לגלית");
      expect(task).toMatchObject({ assigneeId: agentId, contactName: "גלית" });

      // re-assign in place, then complete it
      await Promise.all([page.waitForResponse((r) => r.url().endsWith(`/api/tasks/${task.id}`) && r.request().method() === "PATCH"), item.locator("select").selectOption("")]);
      expect((await api(`/api/tasks/${task.id}`)).body.assigneeId).toBeNull();
      await item.locator('input[type="checkbox"]').check();
      await item.waitFor({ state: "detached" });
      await page.click('main a[href*="view=done"]');
      await page.waitForSelector("main li[data-task-id] >> text=להתקשר לגלית");
      expect((await api(`/api/tasks/${task.id}`)).body.done).toBe(true);
      owner.guard.assertClean();
    },
    30_000,
  );
});
