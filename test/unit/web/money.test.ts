/** The payment dialog's amount field: decimals typed the ways people type them, integer minor units out. */
import { expect, test } from "bun:test";
import { parseAmount } from "../../../src/web/components/money.ts";

test.each([
  ["150", 15000],
  ["150.5", 15050],
  ["99.90", 9990],
  ["99,90", 9990],
  ["1,250.50", 125050],
  ["1,250", 125000],
  [" 0.01 ", 1],
  ["₪ 120", 12000],
  ["0.1", 10],
  ["999999.99", 99_999_999],
  ["19.99", 1999], // 19.99 * 100 is 1998.9999999999998 in floating point
  ["1.", 100],
])("%p → %p minor units", (text, minor) => {
  expect(parseAmount(text)).toBe(minor);
});

test.each(["", "0", "0.00", "-5", "1.234", "1e3", "abc", "1,2,3", "1000000", "12.3.4", "NaN", "Infinity", "١٢٣"])("%p is refused", (text) => {
  expect(parseAmount(text)).toBeUndefined();
});
