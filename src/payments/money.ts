/**
 * Money as integers: every amount in AgentLocator is an integer count of the currency's minor unit (agorot, cents).
 * The decimal strings providers want ("1500.00") are derived here and parsed back here, never with floats.
 * A currency is one row of CURRENCIES; its exponent says how many minor units make a major one (10^exponent).
 *
 * @example toDecimal(150000, "ILS") // "1500.00"
 * @example fromDecimal("1500.5", "ILS") // 150050
 */
import type { PAYMENT_CURRENCIES } from "../db/schema.ts";

export type Currency = (typeof PAYMENT_CURRENCIES)[number];

/** ISO 4217 minor-unit exponents. A currency with 0 (JPY) or 3 (KWD) decimals would be one more row. */
export const CURRENCIES: Record<Currency, { exponent: number }> = {
  ILS: { exponent: 2 },
  USD: { exponent: 2 },
};

/** Integer minor units → the major-unit decimal string with exactly the currency's decimals. */
export function toDecimal(minor: number, currency: Currency): string {
  return decimalString(minor, CURRENCIES[currency].exponent);
}

/**
 * A major-unit decimal string ("15", "15.5", "15.50") → integer minor units; undefined for anything that is not
 * a plain non-negative decimal with at most the currency's decimals ("1e3", "15.555", "-1", " 15").
 */
export function fromDecimal(value: string, currency: Currency): number | undefined {
  return parseDecimal(value, CURRENCIES[currency].exponent);
}

export function decimalString(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor) || minor < 0) throw new RangeError(`amount must be a non-negative integer (got ${minor})`);
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, "0");
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

export function parseDecimal(value: string, exponent: number): number | undefined {
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(value);
  if (!m) return undefined;
  const fraction = m[2] ?? "";
  // digits past the exponent are allowed only as trailing zeros ("15.500" is still exactly 15.50)
  if (fraction.length > exponent && !/^0*$/.test(fraction.slice(exponent))) return undefined;
  const minor = Number(m[1]) * 10 ** exponent + Number(fraction.slice(0, exponent).padEnd(exponent, "0") || "0");
  return Number.isSafeInteger(minor) ? minor : undefined;
}
