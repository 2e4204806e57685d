/** Integer minor units ↔ the decimal strings providers want, per currency exponent. */
import { describe, expect, test } from "bun:test";
import { decimalString, fromDecimal, parseDecimal, toDecimal } from "../../../src/payments/money.ts";
import { reportAmount } from "../../../src/payments/tranzila-match.ts";
import { tranzilaSum } from "../../../src/payments/tranzila.ts";

describe("toDecimal", () => {
  const cases: Array<[number, "ILS" | "USD", string]> = [
    [150000, "ILS", "1500.00"],
    [1, "ILS", "0.01"],
    [10, "USD", "0.10"],
    [99, "USD", "0.99"],
    [100, "USD", "1.00"],
    [0, "ILS", "0.00"],
    [99_999_999, "ILS", "999999.99"],
  ];
  for (const [minor, currency, expected] of cases) test(`${minor} ${currency} → ${expected}`, () => expect(toDecimal(minor, currency)).toBe(expected));

  test("rejects non-integers and negatives instead of rounding", () => {
    expect(() => toDecimal(15.5, "ILS")).toThrow(RangeError);
    expect(() => toDecimal(-1, "ILS")).toThrow(RangeError);
  });

  test("another exponent is only a number: 0 (JPY) and 3 (KWD)", () => {
    expect(decimalString(1500, 0)).toBe("1500");
    expect(decimalString(1500, 3)).toBe("1.500");
    expect(decimalString(5, 3)).toBe("0.005");
    expect(parseDecimal("1.500", 3)).toBe(1500);
    expect(parseDecimal("1500", 0)).toBe(1500);
    expect(parseDecimal("1500.5", 0)).toBeUndefined();
  });
});

describe("fromDecimal", () => {
  const cases: Array<[string, number | undefined]> = [
    ["1500.00", 150000],
    ["1500", 150000],
    ["1500.5", 150050],
    ["0.01", 1],
    ["15.500", 1550],
    ["15.555", undefined],
    ["1e3", undefined],
    ["-1.00", undefined],
    [" 15", undefined],
    ["15.", undefined],
    ["", undefined],
    ["0x10", undefined],
  ];
  for (const [text, expected] of cases) test(`${JSON.stringify(text)} → ${expected}`, () => expect(fromDecimal(text, "ILS")).toBe(expected));

  test("round trip for every amount in a range, no float drift", () => {
    for (let minor = 0; minor < 20_000; minor += 7) expect(fromDecimal(toDecimal(minor, "USD"), "USD")).toBe(minor);
    expect(fromDecimal(toDecimal(1_000_000_07, "USD"), "USD")).toBe(1_000_000_07);
  });
});

describe("Tranzila amounts", () => {
  test("page/handshake sum is major units without trailing zeros", () => {
    expect(tranzilaSum(15000, "ILS")).toBe("150");
    expect(tranzilaSum(1250, "ILS")).toBe("12.5");
    expect(tranzilaSum(1, "USD")).toBe("0.01");
  });
  test("report amount: an integer is minor units, a decimal is major units, anything else unreadable", () => {
    expect(reportAmount("15000", "ILS")).toBe(15000);
    expect(reportAmount(15000, "ILS")).toBe(15000);
    expect(reportAmount("150.00", "ILS")).toBe(15000);
    expect(reportAmount("150.5", "ILS")).toBe(15050);
    expect(reportAmount("150,00", "ILS")).toBeUndefined();
    expect(reportAmount(undefined, "ILS")).toBeUndefined();
    expect(reportAmount("-5", "ILS")).toBeUndefined();
  });
});
