/**
 * Users of the admin app in a real browser (headless Chromium): an invited user sets a password from the link and
 * signs in; one's own password change; a user deactivated while using the app is sent to sign-in.
 * Every test fails on any console error or warning, page error or failed request it did not expect.
 */
import { describe, expect, test } from "bun:test";
import { browser, rig, useAdminRig } from "../support/admin-rig.ts";
import { chromiumAvailable, openPage, PHONE, signIn } from "../support/browser.ts";

useAdminRig();

describe.skipIf(!chromiumAvailable)("users", () => {
  test(
    "an owner invites a user: the one-time link is shown; the user opens it, sets a password and is signed in; the link works once",
    async () => {
      const owner = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(owner.page, "owner@example.com", "owner-password");
      await owner.page.goto("/app/admin/settings/users");
      await owner.page.click("main >> text=הזמנה");
      await owner.page.fill('dialog input[name="email"]', "invited@example.com");
      await owner.page.fill('dialog input[name="name"]', "רון");
      await owner.page.selectOption('dialog select[name="role"]', "admin");
      await owner.page.click('dialog button[type="submit"]');
      const link = await owner.page.inputValue("#set-password-link");
      expect(link).toMatch(/\/app\/set-password\?token=/);
      await owner.page.click('dialog button[aria-label="סגירה"]');
      await owner.page.waitForSelector('li[data-user="invited@example.com"] >> text=הוזמן, טרם נכנס');
      owner.guard.assertClean();

      // the invited user, on their phone, in a browser of their own
      const invited = await openPage(browser, { baseUrl: rig.server.url, viewport: PHONE });
      await invited.page.goto(link);
      await invited.page.waitForSelector("text=invited@example.com");
      await invited.page.fill('input[name="password"]', "invited-password-1");
      await invited.page.fill('input[name="repeat"]', "invited-password-1");
      await invited.page.click('button[type="submit"]');
      await invited.page.waitForURL("**/app/admin/overview");
      await invited.page.click('button[aria-haspopup="dialog"]');
      await invited.page.waitForSelector("dialog[open] >> text=רון");
      invited.guard.assertClean();
      await invited.close();

      // used once: the same link now says so (its check answers 401, expected here)
      const again = await openPage(browser, { baseUrl: rig.server.url });
      again.guard.allow("/api/auth/set-password/check", 401);
      await again.page.goto(link);
      await again.page.waitForSelector('[role="alert"]');
      again.guard.assertClean();
      await again.close();

      // the owner deactivates and reactivates them
      await owner.page.reload();
      const row = owner.page.locator('li[data-user="invited@example.com"]');
      await row.locator("text=השבתה").click();
      await row.locator("text=מושבת").waitFor();
      await row.locator("text=הפעלה מחדש").click();
      await row.locator("text=השבתה").waitFor();
      owner.guard.assertClean();
      await owner.close();
    },
    40_000,
  );

  test(
    "changing one's own password: a wrong current password is named; the right one changes it",
    async () => {
      await rig.api("/api/users", { method: "POST", body: JSON.stringify({ email: "changer@example.com", role: "agent", password: "first-password" }) });
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url, lang: "en" });
      await signIn(page, "changer@example.com", "first-password");
      await page.goto("/app/admin/settings/account");
      guard.allow("/api/auth/password", 403);
      await page.fill('input[name="currentPassword"]', "not-my-password");
      await page.fill('input[name="newPassword"]', "second-password");
      await page.fill('input[name="repeat"]', "second-password");
      await page.click('main button[type="submit"]');
      await page.waitForSelector("text=is not your current password");
      await page.fill('input[name="currentPassword"]', "first-password");
      await page.click('main button[type="submit"]');
      await page.waitForSelector("text=Password changed");
      const res = await fetch(`${rig.server.url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: "changer@example.com", password: "second-password" }) });
      expect(res.status).toBe(200);
      guard.assertClean();
      await close();
    },
    30_000,
  );
});

describe.skipIf(!chromiumAvailable)("a session that ends", () => {
  test(
    "deactivated while using the app: the next request finds the session gone and the app goes to sign-in",
    async () => {
      const created = await rig.api("/api/users", { method: "POST", body: JSON.stringify({ email: "leaving@example.com", role: "admin", password: "leaving-password" }) });
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(page, "leaving@example.com", "leaving-password");
      await page.goto("/app/admin/contacts");
      await page.waitForSelector("main h1");
      await rig.api(`/api/users/${created.user.id}/deactivate`, { method: "POST" });
      // the page's next requests answer 401 (expected here: that is how the app learns it)
      for (let i = 0; i < 6; i++) guard.allow(/\/api\/(?!auth\/)/, 401);
      await page.click('aside a[href="/app/admin/tasks"]');
      await page.waitForURL("**/app/login?next=*");
      expect(decodeURIComponent(page.url())).toContain("next=/app/admin/tasks");
      guard.assertClean();
      await close();
    },
    30_000,
  );
});
