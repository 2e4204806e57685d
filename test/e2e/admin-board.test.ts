/**
 * The pipeline board in a real browser: a contact moved by dragging with a mouse, from the keyboard, by a tap on its
 * grip and "move here", and with a finger (touch on the grip) on a phone. Nothing may reach the console.
 */
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import type { Page } from "playwright-core";
import { api, browser, owner, server, useAdminServer } from "../support/admin-server.ts";
import { auditPage, chromiumAvailable, openPage, PHONE, signIn } from "../support/browser.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

useAdminServer();

/** A new contact, at the start of the pipeline, that the board tests move along. */
let contactId = 0;
beforeAll(async () => {
  if (!chromiumAvailable) return;
  contactId = (await api("/api/contacts", { body: { name: "רינה כהן", phone: "+972525550101" } })).body.id;
});

/** The contact's card on the board and the column it should go to. */
const card = (page: Page, id: number) => page.locator(`li[data-contact-id="${id}"]`);
const column = (page: Page, status: string) => page.locator(`section[data-status="${status}"]`);
const statusOf = async (id: number) => (await api(`/api/contacts/${id}`)).body.status as string;

describe.skipIf(!chromiumAvailable)("the pipeline board", () => {
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
});
