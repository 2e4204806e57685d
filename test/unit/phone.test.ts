import { expect, test } from "bun:test";
import { normalizePhone } from "../../src/crm/phone.ts";

test.each([
  ["+972 50-123-4567", "+972501234567"],
  ["050-1234567", "+972501234567"],
  ["00972501234567", "+972501234567"],
  ["972501234567", "+972501234567"],
  ["whatsapp:+972501234567", "+972501234567"],
  ["+1 (415) 555-0100", "+14155550100"],
])("%s → %s", (raw, e164) => expect(normalizePhone(raw)).toBe(e164));

test("not a number", () => {
  expect(normalizePhone("anonymous")).toBeUndefined();
  expect(normalizePhone("12")).toBeUndefined();
});
