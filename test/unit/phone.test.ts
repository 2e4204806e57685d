/** Phone numbers in any written form → E.164 (libphonenumber-js); text, extensions and impossible numbers → undefined. */
import { expect, test } from "bun:test";
import { normalizePhone } from "../../src/crm/phone.ts";

test.each([
  ["+972 50-123-4567", "+972501234567"],
  ["050-1234567", "+972501234567"],
  ["(050) 123 4567", "+972501234567"],
  ["00972501234567", "+972501234567"],
  ["972501234567", "+972501234567"],
  ["whatsapp:+972501234567", "+972501234567"],
  // the country code written before the national trunk 0 (business cards, spreadsheets): the same number
  ["+972 050-123-4567", "+972501234567"],
  ["00972-0501234567", "+972501234567"],
  ["+972-0501234567", "+972501234567"],
  // landlines and other Israeli ranges
  ["03-1234567", "+97231234567"],
  ["02-625-1111", "+97226251111"],
  ["077-1234567", "+972771234567"],
  ["1-800-123-456", "+9721800123456"],
  // foreign numbers in E.164 or with 00
  ["+1 (415) 555-0100", "+14155550100"],
  ["+44 20 7946 0958", "+442079460958"],
  ["0049 151 12345678", "+4915112345678"],
  ["+33 6 12 34 56 78", "+33612345678"],
])("%s → %s", (raw, e164) => expect(normalizePhone(raw)).toBe(e164));

test.each([
  "anonymous",
  "12",
  "",
  "call me 1234567",
  "050 123 4567 ext 12",
  "050-123-4567 שלוחה 12",
  "+972 5o 123 4567",
  "050 1234567 050 7654321",
  "+1234567",
  "+97250123456712",
  "+9720501234567 9",
  "+999123456789",
])("%p is not a phone number", (raw) => expect(normalizePhone(raw)).toBeUndefined());
