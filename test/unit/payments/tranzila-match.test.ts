/** When a row of Tranzila's transaction report proves a payment paid — and every way it does not. */
import { expect, test } from "bun:test";
import { checkTransaction, type Verdict } from "../../../src/payments/tranzila-match.ts";

const expected = { terminal: "myterm", amount: 15000, currency: "ILS" as const, reference: "al_0123456789abcdef01234567" };
const good = {
  index: "1696",
  amount: "15000",
  currency: "1",
  processor_response_code: "000",
  tranmode: "A",
  txn_type: "DEBIT",
  child_terminal: "myterm",
  request_params: { al_ref: expected.reference },
};

const cases: Array<{ name: string; row: Record<string, unknown>; verdict: Verdict["kind"]; reason?: RegExp }> = [
  { name: "an approved regular charge of the right amount, currency, terminal and reference", row: good, verdict: "paid" },
  { name: "amount written in major units with a decimal point", row: { ...good, amount: "150.00" }, verdict: "paid" },
  { name: "currency as ISO letters", row: { ...good, currency: "ILS" }, verdict: "paid" },
  { name: "reference in a user-defined field", row: { ...good, request_params: undefined, user_defined_3: expected.reference }, verdict: "paid" },
  { name: "reference in request_params as JSON text", row: { ...good, request_params: JSON.stringify({ al_ref: expected.reference }) }, verdict: "paid" },
  { name: "a row without txn_type/tranmode still counts (allowlist only when present)", row: { ...good, txn_type: undefined, tranmode: undefined }, verdict: "paid" },
  { name: "tranmode with a suffix (A123456)", row: { ...good, tranmode: "A123456" }, verdict: "paid" },
  { name: "declined by the card company", row: { ...good, processor_response_code: "004" }, verdict: "declined" },
  { name: "no response code at all", row: { ...good, processor_response_code: undefined }, verdict: "declined" },
  { name: "amount short by one agora", row: { ...good, amount: "14999" }, verdict: "mismatch", reason: /amount is 14999/ },
  { name: "amount in major units read as agorot is 100× off", row: { ...good, amount: "150" }, verdict: "mismatch", reason: /amount/ },
  { name: "USD instead of ILS", row: { ...good, currency: "2" }, verdict: "mismatch", reason: /currency is 2/ },
  { name: "unknown currency code", row: { ...good, currency: "978" }, verdict: "mismatch", reason: /currency/ },
  { name: "another terminal", row: { ...good, child_terminal: "otherterm" }, verdict: "mismatch", reason: /child_terminal is otherterm/ },
  { name: "a J5 hold (tranmode V)", row: { ...good, tranmode: "V" }, verdict: "mismatch", reason: /tranmode is V/ },
  { name: "a credit, not a debit", row: { ...good, txn_type: "CREDIT" }, verdict: "mismatch", reason: /txn_type is CREDIT/ },
  { name: "another payment's reference", row: { ...good, request_params: { al_ref: "al_ffffffffffffffffffffffff" } }, verdict: "mismatch", reason: /carries reference al_ffff/ },
  { name: "no reference anywhere on the row", row: { ...good, request_params: undefined }, verdict: "mismatch", reason: /carries no reference/ },
  { name: "amount missing", row: { ...good, amount: undefined }, verdict: "mismatch", reason: /amount is missing/ },
];

for (const c of cases)
  test(c.name, () => {
    const v = checkTransaction(c.row, expected);
    expect(v.kind).toBe(c.verdict);
    if (c.reason) expect(v.kind === "mismatch" ? v.reasons.join("; ") : "").toMatch(c.reason);
  });
