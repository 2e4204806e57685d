/**
 * Contacts in a real browser, as the owner works them: create a contact, find it again by a local phone form, edit
 * it (tags, owner, a custom field), merge two contacts, import a CSV file (the per-row report). The pipeline board
 * and tasks have files of their own (admin-board, admin-tasks). Open dialogs are checked with axe too; nothing may
 * reach the console.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { agentId, api, owner, useAdminServer } from "../support/admin-server.ts";
import { auditPage, chromiumAvailable } from "../support/browser.ts";
import { tempDir } from "../support/server.ts";

useAdminServer();

let contactId = 0;

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
