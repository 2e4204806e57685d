/**
 * The settings pages in a real browser (headless Chromium): the business profile, WhatsApp and payments from calls
 * (Hebrew and English at 390 px), custom contact fields and the providers' state.
 * Every test fails on any console error or warning, page error or failed request it did not expect.
 */
import { describe, expect, test } from "bun:test";
import { browser, rig, useAdminRig } from "../support/admin-rig.ts";
import { auditPage, chromiumAvailable, openPage, PHONE, signIn } from "../support/browser.ts";

useAdminRig();

describe.skipIf(!chromiumAvailable)("settings", () => {
  test(
    "the business profile: a bad value is named under its field; good ones are saved (number in any form → E.164)",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url });
      await signIn(page, "owner@example.com", "owner-password");
      await page.goto("/app/admin/settings");
      await page.fill('input[name="name"]', "מנעולן הצפון");
      await page.fill('textarea[name="greeting"]', "שלום, הגעתם למנעולן הצפון. במה אפשר לעזור?");
      await page.fill('input[name="eouSilenceMs"]', "900");
      await page.fill('input[name="transferNumber"]', "050-765-4321");
      await page.fill('textarea[name="phraseHints"]', "צילינדר\nרב-בריח");
      await page.selectOption('select[name="timezone"]', "Asia/Jerusalem");
      guard.allow("/api/settings/business", 422);
      await page.click('main button[type="submit"]');
      await page.waitForSelector('input[name="eouSilenceMs"][aria-invalid="true"]');
      expect(await page.innerText("main")).toContain("Too big");
      await page.fill('input[name="eouSilenceMs"]', "450");
      await page.click('main button[type="submit"]');
      await page.waitForSelector("text=נשמר. השינוי יחול מהשיחה הבאה.");
      expect(await rig.api("/api/settings/business")).toMatchObject({ name: "מנעולן הצפון", eouSilenceMs: 450, transferNumber: "+972507654321", phraseHints: ["צילינדר", "רב-בריח"], timezone: "Asia/Jerusalem" });
      guard.assertClean();
      await close();
    },
    30_000,
  );

  test(
    "WhatsApp and payments from calls: the summary switch, payment links with a maximum typed in shekels, warnings for what the server lacks",
    async () => {
      for (const [lang, viewport] of [["he", PHONE], ["en", PHONE]] as const) {
        const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url, lang, viewport });
        await signIn(page, "owner@example.com", "owner-password");
        await page.goto("/app/admin/settings");
        await page.waitForSelector("#from-calls");
        // off by default, and nothing about payment links shown until they are switched on
        expect(await page.isChecked('input[name="postCallSummary"]')).toBe(false);
        expect(await page.locator('input[name="paymentLinks.maxAmount"]').count()).toBe(0);
        await page.check('input[name="postCallSummary"]');
        // this server has neither a linked phone nor a Twilio WhatsApp sender
        await page.waitForSelector('[data-warning="whatsapp"]');
        await page.check('input[name="paymentLinks.enabled"]');
        await page.selectOption('select[name="paymentLinks.provider"]', "tranzila");
        await page.waitForSelector('[data-warning="provider"]');
        expect(await page.innerText('[data-warning="provider"]')).toContain("Tranzila");
        await page.fill('textarea[name="whatsappDetails"]', lang === "he" ? "הרצל 10, חיפה · 04-1234567" : "Herzl 10, Haifa · 04-1234567");
        await page.fill('input[name="paymentLinks.maxAmount"]', "a lot");
        await page.click('main button[type="submit"]');
        await page.waitForSelector('input[name="paymentLinks.maxAmount"][aria-invalid="true"]');
        expect(await page.innerText("#from-calls")).toContain(lang === "he" ? "סכום כמו 1500 או 1500.50" : "An amount such as 1500 or 1500.50");
        await page.fill('input[name="paymentLinks.maxAmount"]', "1,500.50");
        await page.fill('input[name="paymentLinks.description"]', lang === "he" ? "מקדמה לביקור" : "Visit deposit");
        await page.click('main button[type="submit"]');
        await page.waitForSelector(lang === "he" ? "text=נשמר. השינוי יחול מהשיחה הבאה." : "text=Saved. The change applies from the next call.");
        expect(await rig.api("/api/settings/business")).toMatchObject({
          postCallSummary: true,
          whatsappDetails: lang === "he" ? "הרצל 10, חיפה · 04-1234567" : "Herzl 10, Haifa · 04-1234567",
          paymentLinks: { enabled: true, provider: "tranzila", currency: "ILS", maxAmount: 150050, description: lang === "he" ? "מקדמה לביקור" : "Visit deposit" },
        });
        // read back as it was typed, in major units
        await page.reload();
        await page.waitForSelector('input[name="paymentLinks.maxAmount"]');
        expect(await page.inputValue('input[name="paymentLinks.maxAmount"]')).toBe("1500.50");
        await auditPage(page, `settings-from-calls-${lang}`);
        // back to the defaults for the next run (an emptied maximum and description are unset)
        await page.fill('input[name="paymentLinks.maxAmount"]', "");
        await page.fill('input[name="paymentLinks.description"]', "");
        await page.uncheck('input[name="paymentLinks.enabled"]');
        await page.uncheck('input[name="postCallSummary"]');
        await page.click('main button[type="submit"]');
        await page.waitForSelector(lang === "he" ? "text=נשמר. השינוי יחול מהשיחה הבאה." : "text=Saved. The change applies from the next call.");
        expect((await rig.api("/api/settings/business")).paymentLinks).toEqual({ enabled: false, provider: "tranzila", currency: "ILS" });
        guard.assertClean();
        await close();
      }
    },
    60_000,
  );

  test(
    "custom fields: add a choice field with its options; the contact form offers it; the providers' state is shown",
    async () => {
      const { page, guard, close } = await openPage(browser, { baseUrl: rig.server.url, lang: "en" });
      await signIn(page, "owner@example.com", "owner-password");
      await page.goto("/app/admin/settings/fields");
      await page.click("main >> text=Add field");
      await page.fill('input[name="key-0"]', "lock_type");
      await page.fill('input[name="he-0"]', "סוג מנעול");
      await page.fill('input[name="en-0"]', "Lock type");
      await page.selectOption('select[name="type-0"]', "select");
      await page.fill('input[name="options-0"]', "cylinder, deadbolt");
      await page.check("main >> text=Required");
      await page.click("main >> text=Save");
      await page.waitForSelector("main >> text=Saved.");
      expect((await rig.api("/api/settings/contact-fields")).fields).toEqual([{ key: "lock_type", label: { he: "סוג מנעול", en: "Lock type" }, type: "select", options: ["cylinder", "deadbolt"], required: true }]);
      await page.goto("/app/admin/contacts");
      await page.click("main >> text=New contact");
      const select = page.locator('dialog[open] select[name="fields.lock_type"]');
      expect(await select.locator("option").allInnerTexts()).toEqual(["—", "cylinder", "deadbolt"]);
      await page.keyboard.press("Escape");

      await page.goto("/app/admin/settings/providers");
      await page.waitForSelector('[data-component="stt"]');
      expect(await page.innerText('[data-component="db"]')).toContain("OK");
      expect(await page.innerText("main")).toContain("Built-in script");
      guard.assertClean();
      await close();
    },
    30_000,
  );
});
