/**
 * Contacts and tasks in a real browser, as the owner works them: create a contact, find it again by a local phone
 * form, edit it (tags, owner, a custom field), move it on the pipeline board by dragging with a mouse, with a
 * finger (touch on the grip) and with the keyboard, merge two contacts, import a CSV file (the per-row report),
 * and create, assign and complete a task. Open dialogs are checked with axe too; nothing may reach the console.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { auditPage, chromiumAvailable, launchBrowser, openPage, PHONE, signIn, type OpenedPage } from "../support/browser.ts";
import { startInProcess, tempDir } from "../support/server.ts";

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let browser: Browser;
let owner: OpenedPage;
let token = "";
let agentId = 0;
let contactId = 0;

const api = async (path: string, init: { method?: string; body?: unknown } = {}) => {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body ? "POST" : "GET"),
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as any) };
};

beforeAll(async () => {
  if (!chromiumAvailable) return;
  server = await startInProcess({ ADMIN_EMAIL: "owner@example.com", ADMIN_PASSWORD: "owner-password" });
  const login = await fetch(`${server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "owner@example.com", password: "owner-password" }) });
  token = ((await login.json()) as { token: string }).token;
  await api("/api/settings/contact-fields", { method: "PUT", body: { fields: [{ key: "floor", label: { he: "קומה", en: "Floor" }, type: "number", required: false }] } });
  agentId = (await api("/api/users", { body: { email: "agent@example.com", name: "דנה לוי", role: "agent", password: "agent-password" } })).body.user.id;
  browser = await launchBrowser();
  owner = await openPage(browser, { baseUrl: server.url });
  await signIn(owner.page, "owner@example.com", "owner-password");
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop(2000);
});

/** The contact's card on the board and the column it should go to. */
const card = (page: Page, id: number) => page.locator(`li[data-contact-id="${id}"]`);
const column = (page: Page, status: string) => page.locator(`section[data-status="${status}"]`);
const statusOf = async (id: number) => (await api(`/api/contacts/${id}`)).body.status as string;

describe.skipIf(!chromiumAvailable)("contacts", () => {
  test(
    "create a contact in the form; it opens on its page with the number in the local form",
    async () => {
      const { page } = owner;
      await page.goto("/app/admin/contacts");
      await page.click("main >> text=איש קשר חדש");
      await page.waitForSelector('dialog[open] input[name="name"]');
      await auditPage(page, "contact-new-dialog-desktop-he");
      await page.fill('dialog input[name="name"]', "רינה כהן");
      await page.fill('dialog input[name="phone"]', "+972 52 555 0101");
      await page.fill('dialog input[name="tags"]', "vip, צפון");
      await page.fill('dialog input[name="fields.floor"]', "3");
      // a phone field reads left to right in Hebrew too
      expect(await page.getAttribute('dialog input[name="phone"]', "dir")).toBe("ltr");
      await page.click('dialog button[type="submit"]');
      await page.waitForURL(/\/app\/admin\/contacts\/\d+$/);
      contactId = Number(page.url().split("/").pop());
      await page.waitForSelector("main h1 >> text=רינה כהן");
      expect(await page.innerText("main")).toContain("052-555-0101");
      const saved = (await api(`/api/contacts/${contactId}`)).body;
      expect(saved).toMatchObject({ name: "רינה כהן", phone: "+972525550101", tags: ["vip", "צפון"], fields: { floor: 3 } });
      owner.guard.assertClean();
    },
    30_000,
  );

  test(
    "a phone number in the wrong shape is named under its field; nothing is created",
    async () => {
      const { page, guard } = owner;
      const before = (await api("/api/contacts")).body.total;
      await page.goto("/app/admin/contacts");
      await page.click("main >> text=איש קשר חדש");
      await page.fill('dialog input[name="name"]', "טעות");
      await page.fill('dialog input[name="phone"]', "12");
      guard.allow("/api/contacts", 422);
      await page.click('dialog button[type="submit"]');
      await page.waitForSelector("dialog[open] >> text=is not a phone number");
      expect(await page.getAttribute('dialog input[name="phone"]', "aria-invalid")).toBe("true");
      expect((await api("/api/contacts")).body.total).toBe(before);
      await page.keyboard.press("Escape");
      guard.assertClean();
    },
    30_000,
  );

  test(
    "search finds it by local phone forms (050-…, 0…, +972 …) and keeps the search in the address",
    async () => {
      const { page } = owner;
      await api("/api/contacts", { body: { name: "מישהו אחר", phone: "0541112233" } });
      for (const q of ["052-555-0101", "0525550101", "+972 52-555-0101", "555-01"]) {
        await page.goto("/app/admin/contacts");
        await page.fill("#contact-search", q);
        await page.waitForURL((u) => u.searchParams.get("q") === q);
        await page.waitForSelector(`tbody a[href="/app/admin/contacts/${contactId}"]`);
        expect(await page.locator("tbody tr").count()).toBe(1);
      }
      // the search is a link: opening it again shows the same result
      await page.goto(`/app/admin/contacts?q=${encodeURIComponent("0525")}`);
      await page.waitForSelector(`tbody a[href="/app/admin/contacts/${contactId}"]`);
      expect(await page.inputValue("#contact-search")).toBe("0525");
      owner.guard.assertClean();
    },
    30_000,
  );

  test(
    "edit: name, tags, owner and a custom field; the filters find it by tag and owner",
    async () => {
      const { page } = owner;
      await page.goto(`/app/admin/contacts/${contactId}`);
      await page.click("main >> text=עריכה");
      await page.waitForSelector('dialog[open] input[name="name"]');
      await page.fill('dialog input[name="name"]', "רינה כהן-לוי");
      await page.fill('dialog input[name="tags"]', "vip, צפון, חוזרת");
      await page.selectOption('dialog select[name="ownerId"]', String(agentId));
      await page.fill('dialog input[name="fields.floor"]', "7");
      await page.click('dialog button[type="submit"]');
      await page.waitForSelector("main h1 >> text=רינה כהן-לוי");
      expect((await api(`/api/contacts/${contactId}`)).body).toMatchObject({ name: "רינה כהן-לוי", tags: ["vip", "צפון", "חוזרת"], ownerId: agentId, fields: { floor: 7 } });
      expect(await page.innerText("main")).toContain("חוזרת");

      await page.goto(`/app/admin/contacts?tag=${encodeURIComponent("חוזרת")}&owner=${agentId}`);
      await page.waitForSelector(`tbody a[href="/app/admin/contacts/${contactId}"]`);
      expect(await page.locator("tbody tr").count()).toBe(1);
      // a status filter it does not match: nothing
      await page.selectOption('main select:near(:text("שלב"))', "won");
      await page.waitForSelector("text=אין תוצאות לסינון הזה.");
      owner.guard.assertClean();
    },
    30_000,
  );

  test(
    "the pipeline board: drag with the mouse from one column to another; the move is saved and announced",
    async () => {
      const { page } = owner;
      await page.goto("/app/admin/contacts/board");
      const c = card(page, contactId);
      await c.waitFor();
      expect(await column(page, "new").locator(`li[data-contact-id="${contactId}"]`).count()).toBe(1);
      const from = (await c.boundingBox())!;
      const target = column(page, "qualified");
      await target.scrollIntoViewIfNeeded();
      const to = (await target.boundingBox())!;
      await page.mouse.move(from.x + from.width / 2, from.y + 12);
      await page.mouse.down();
      await page.mouse.move(from.x + from.width / 2 - 10, from.y + 14, { steps: 3 });
      await page.mouse.move(to.x + to.width / 2, to.y + 60, { steps: 12 });
      await page.waitForSelector('section[data-status="qualified"].ring-2');
      await page.mouse.up();
      await column(page, "qualified").locator(`li[data-contact-id="${contactId}"]`).waitFor();
      await page.waitForFunction(() => document.querySelector('[aria-live="assertive"]')?.textContent?.includes("מתאים"));
      expect(await statusOf(contactId)).toBe("qualified");
      // still on the board page (the drag that started on the name did not open the contact)
      expect(new URL(page.url()).pathname).toBe("/app/admin/contacts/board");
      await page.reload();
      await column(page, "qualified").locator(`li[data-contact-id="${contactId}"]`).waitFor();
      owner.guard.assertClean();
    },
    30_000,
  );

  test(
    "the board from the keyboard: Enter on the grip picks the card up, an arrow chooses the next column, Enter drops, Escape cancels",
    async () => {
      const { page } = owner;
      await page.goto("/app/admin/contacts/board");
      const grip = card(page, contactId).locator("button[data-grip]");
      await grip.focus();
      await page.keyboard.press("Enter");
      expect(await grip.getAttribute("aria-pressed")).toBe("true");
      await auditPage(page, "board-picked-up-desktop-he");
      // Hebrew: columns run right to left, so "next" is the left arrow
      await page.keyboard.press("ArrowLeft");
      await page.waitForSelector('section[data-status="proposal"].ring-2');
      await page.keyboard.press("Enter");
      await column(page, "proposal").locator(`li[data-contact-id="${contactId}"]`).waitFor();
      expect(await statusOf(contactId)).toBe("proposal");

      // focus stays usable: pick it up again, move, and cancel
      const again = card(page, contactId).locator("button[data-grip]");
      await again.focus();
      await page.keyboard.press(" ");
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("Escape");
      await page.waitForFunction(() => document.querySelector('[aria-live="assertive"]')?.textContent === "ההעברה בוטלה");
      expect(await statusOf(contactId)).toBe("proposal");
      // a tap on the grip then "move here" on a column (the way without dragging)
      await again.click();
      await column(page, "won").locator("text=להעביר לכאן").click();
      await column(page, "won").locator(`li[data-contact-id="${contactId}"]`).waitFor();
      expect(await statusOf(contactId)).toBe("won");
      owner.guard.assertClean();
    },
    30_000,
  );

  test(
    "on a phone, a finger drags the card by its grip (touch events), and the page never scrolls sideways",
    async () => {
      const phone = await openPage(browser, { baseUrl: server.url, viewport: PHONE });
      await signIn(phone.page, "owner@example.com", "owner-password");
      const { page } = phone;
      const id = (await api("/api/contacts", { body: { name: "נגיעה", phone: "0537654321" } })).body.id;
      await page.goto("/app/admin/contacts/board");
      const grip = card(page, id).locator("button[data-grip]");
      await grip.waitFor();
      const g = (await grip.boundingBox())!;
      const target = (await column(page, "contacted").boundingBox())!;
      // the next column is partly off screen on a phone: drop on the middle of the part that shows
      const tx = (Math.max(target.x, 0) + Math.min(target.x + target.width, PHONE.width)) / 2;
      const cdp = await page.context().newCDPSession(page);
      const touch = (type: "touchStart" | "touchMove" | "touchEnd", x: number, y: number) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x, y }] });
      const x0 = g.x + g.width / 2;
      const y0 = g.y + g.height / 2;
      await touch("touchStart", x0, y0);
      for (let i = 1; i <= 10; i++) await touch("touchMove", x0 + ((tx - x0) * i) / 10, y0 + 20);
      await touch("touchEnd", tx, y0 + 20);
      await column(page, "contacted").locator(`li[data-contact-id="${id}"]`).waitFor();
      expect(await statusOf(id)).toBe("contacted");
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
      await auditPage(page, "board-after-touch-phone-he");
      phone.guard.assertClean();
      await phone.close();
    },
    30_000,
  );

  test(
    "merge two contacts: pick the other by phone, keep this one; its number, notes and calls move here",
    async () => {
      const { page } = owner;
      const other = (await api("/api/contacts", { body: { name: "רינה", phone: "050-777-8888", email: "rina@example.com" } })).body.id;
      await api(`/api/contacts/${other}/notes`, { body: { text: "הערה מהכפיל" } });
      await page.goto(`/app/admin/contacts/${contactId}`);
      await page.click("main >> text=איחוד");
      await page.fill("dialog[open] input[type=search]", "050-777");
      await page.click(`dialog[open] li button:has-text("רינה")`);
      await page.waitForSelector('dialog[open] input[name="keep"][value="this"]:checked');
      await auditPage(page, "contact-merge-dialog-desktop-he");
      await page.click("dialog[open] >> text=איחוד >> nth=-1");
      await page.waitForSelector("main >> text=050-777-8888");
      expect((await api(`/api/contacts/${other}`)).status).toBe(404);
      const kept = (await api(`/api/contacts/${contactId}`)).body;
      expect(kept.email).toBe("rina@example.com");
      expect(kept.identities).toContainEqual({ kind: "phone", value: "+972507778888" });
      expect(await page.innerText("main")).toContain("הערה מהכפיל");
      // the dropped number finds the survivor
      const found = (await api("/api/contacts?q=0507778888")).body.items.map((c: { id: number }) => c.id);
      expect(found).toEqual([contactId]);
      owner.guard.assertClean();
    },
    30_000,
  );

  test(
    "CSV import: the check shows the per-row report without saving; the import creates the good rows; export links the filters",
    async () => {
      const { page } = owner;
      const file = join(tempDir(), "contacts.csv");
      writeFileSync(file, "\uFEFFשם,טלפון,תגיות\nאבי מזרחי,050-111-2222,vip\nבלי מספר טוב,12,\nגלית,052-333-4444,\n");
      await page.goto("/app/admin/contacts");
      await page.click("main >> text=ייבוא CSV");
      await page.setInputFiles("#import-file", file);
      await page.click("dialog[open] >> text=בדיקת הקובץ");
      await page.waitForSelector("dialog[open] >> text=תוצאת הבדיקה");
      const report = await page.innerText("dialog[open]");
      expect(report).toContain("2 חדשים, 0 עודכנו, 0 דולגו, 1 שורות נכשלו");
      const row = page.locator("dialog[open] tbody tr").first();
      expect(await row.locator("td").nth(0).innerText()).toBe("3");
      expect(await row.locator("td").nth(1).innerText()).toBe("phone");
      expect((await api(`/api/contacts?q=${encodeURIComponent("גלית")}`)).body.total).toBe(0);
      await auditPage(page, "contact-import-report-desktop-he");
      await page.click("dialog[open] >> text=ייבוא >> nth=-1");
      await page.waitForSelector("dialog[open] >> text=הייבוא הסתיים");
      expect((await api(`/api/contacts?q=${encodeURIComponent("גלית")}`)).body.total).toBe(1);
      await page.keyboard.press("Escape");
      await page.waitForSelector("tbody >> text=גלית");

      await page.goto("/app/admin/contacts?tag=vip");
      const href = await page.getAttribute('a[download][href^="/api/contacts.csv"]', "href");
      expect(href).toContain("tag=vip");
      expect(href).toContain("lang=he");
      const csv = await page.request.get(href!);
      expect(csv.status()).toBe(200);
      const text = await csv.text();
      expect(text).toContain("אבי מזרחי");
      expect(text).not.toContain("גלית");
      owner.guard.assertClean();
    },
    30_000,
  );
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
