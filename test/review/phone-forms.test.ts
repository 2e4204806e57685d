/**
 * Review finding: src/crm/phone.ts is hand-written and lax. "+972 050-123-4567" (the country code written before
 * the national trunk 0 — common on Israeli business cards and in CSVs) becomes +9720501234567, a different (and
 * invalid) number from +972501234567: a duplicate contact, a search that misses, a WhatsApp send to nowhere.
 * Text with digits in it ("call me 1234567", "… ext 12") becomes a "valid" number instead of a 422.
 * A maintained library (libphonenumber-js, default region IL, isValidNumber) gets all of these right.
 */
import { expect, test } from "bun:test";
import { normalizePhone } from "../../src/crm/phone.ts";

test("+972 followed by the trunk 0 is the same Israeli number", () => {
  expect(normalizePhone("+972 050-123-4567")).toBe("+972501234567");
  expect(normalizePhone("00972-0501234567")).toBe("+972501234567");
});

test("text that merely contains digits is not a phone number", () => {
  expect(normalizePhone("call me 1234567")).toBeUndefined();
  expect(normalizePhone("050 123 4567 ext 12")).not.toBe("+97250123456712");
});
