/**
 * Does a row of Tranzila's transaction report prove that this payment was paid? Tranzila's notify is unsigned, so
 * only the terminal's own report (fetched with the signed API headers) counts, and only when every check holds:
 *
 * - approved: `processor_response_code` (or `response_code`) is `000`;
 * - a regular charge: `txn_type` is DEBIT and `tranmode` starts with A, whenever the row carries them (the buyer
 *   can edit the page's URL, and a J5 hold or a card check must never count as paid);
 * - our terminal: `terminal_name` / `supplier` / `child_terminal`, whenever present, name TRANZILA_TERMINAL;
 * - the amount: `amount` as an integer is minor units (Tranzila's report documents agorot; three independent
 *   integrations read it so); an amount written with a decimal point is read as major units. Anything else fails;
 * - the currency: 1/ILS/376 or 2/USD/840;
 * - our reference: in the handshake's `request_params`, a field named `al_ref`, or any `user_defined_N` field.
 *   A row that carries no reference at all cannot be matched and fails (kept for review), never succeeds.
 *
 * A declined transaction is not a mismatch: the buyer may try another card on the same page.
 */
import { fromDecimal, type Currency } from "./money.ts";
import { REFERENCE_FIELD } from "./tranzila.ts";

export interface Expected {
  terminal: string;
  amount: number;
  currency: Currency;
  reference: string;
}

export type Verdict = { kind: "paid" } | { kind: "declined"; code: string } | { kind: "mismatch"; reasons: string[] };

const CURRENCY_CODES: Record<string, Currency> = { "1": "ILS", ILS: "ILS", NIS: "ILS", "376": "ILS", "2": "USD", USD: "USD", "840": "USD" };

const text = (v: unknown): string | undefined => (typeof v === "string" || typeof v === "number" ? String(v).trim() : undefined);

/** A report amount → minor units of `currency`, or undefined when it cannot be read unambiguously. */
export function reportAmount(raw: unknown, currency: Currency): number | undefined {
  const s = text(raw);
  if (!s) return undefined;
  if (/^\d+$/.test(s)) return Number.isSafeInteger(Number(s)) ? Number(s) : undefined;
  if (/^\d+\.\d+$/.test(s)) return fromDecimal(s, currency);
  return undefined;
}

/** Every reference-looking value the row carries: request_params (object or JSON text), al_ref, user_defined_N. */
export function referencesIn(row: Record<string, unknown>): string[] {
  const found: string[] = [];
  let params = row.request_params;
  if (typeof params === "string") {
    try {
      params = JSON.parse(params);
    } catch {
      params = undefined;
    }
  }
  if (params && typeof params === "object") {
    const v = text((params as Record<string, unknown>)[REFERENCE_FIELD]);
    if (v) found.push(v);
  }
  for (const [key, value] of Object.entries(row)) {
    if (key === REFERENCE_FIELD || /^user_defined_\d+$/.test(key)) {
      const v = text(value);
      if (v) found.push(v);
    }
  }
  return found;
}

export function checkTransaction(row: Record<string, unknown>, expected: Expected): Verdict {
  const code = text(row.processor_response_code ?? row.response_code ?? row.Response) ?? "";
  if (code !== "000") return { kind: "declined", code: code || "none" };

  const reasons: string[] = [];
  const txnType = text(row.txn_type);
  if (txnType !== undefined && txnType.toUpperCase() !== "DEBIT") reasons.push(`txn_type is ${txnType}, not DEBIT`);
  const tranmode = text(row.tranmode);
  if (tranmode !== undefined && !/^A/i.test(tranmode)) reasons.push(`tranmode is ${tranmode}, not a regular charge (A)`);

  for (const key of ["terminal_name", "supplier", "child_terminal"]) {
    const t = text(row[key]);
    if (t && t.toLowerCase() !== expected.terminal.toLowerCase()) reasons.push(`${key} is ${t}, not ${expected.terminal}`);
  }

  const currency = CURRENCY_CODES[(text(row.currency) ?? "").toUpperCase()];
  if (currency !== expected.currency) reasons.push(`currency is ${text(row.currency) ?? "missing"}, expected ${expected.currency}`);
  else {
    const amount = reportAmount(row.amount, currency);
    if (amount !== expected.amount) reasons.push(`amount is ${text(row.amount) ?? "missing"}, expected ${expected.amount} minor units`);
  }

  const refs = referencesIn(row);
  if (!refs.length) reasons.push(`the report row carries no reference (add a user-defined field named ${REFERENCE_FIELD} to the terminal)`);
  else if (!refs.includes(expected.reference)) reasons.push(`the report row carries reference ${refs.join("/")}, not ${expected.reference}`);

  return reasons.length ? { kind: "mismatch", reasons } : { kind: "paid" };
}
