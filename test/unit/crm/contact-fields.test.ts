/** Custom contact fields: definitions and values checked against them (from the API's JSON and from spreadsheet cells). */
import { expect, test } from "bun:test";
import { checkFieldValues, fieldDefinitionsSchema, missingRequired, type FieldDefinition } from "../../../src/crm/contact-fields.ts";

const DEFS: FieldDefinition[] = fieldDefinitionsSchema.parse([
  { key: "size", label: { he: "מידה" }, type: "select", options: ["S", "M"], required: true },
  { key: "floor", label: { en: "Floor" }, type: "number" },
  { key: "moving_date", label: { en: "Moving" }, type: "date" },
  { key: "remark", label: { en: "Remark" }, type: "text" },
]);

test("values of each type, from JSON", () => {
  expect(checkFieldValues(DEFS, { size: "M", floor: 2.5, moving_date: "2025-12-31", remark: " hi " })).toEqual({ values: { size: "M", floor: 2.5, moving_date: "2025-12-31", remark: "hi" }, problems: [] });
  expect(checkFieldValues(DEFS, { floor: "12" }).values).toEqual({ floor: 12 });
  expect(checkFieldValues(DEFS, { size: "XL", floor: "1,200", moving_date: "31/12/2025", remark: { a: 1 }, colour: "red" }).problems).toEqual([
    { field: "fields.size", problem: "must be one of: S, M" },
    { field: "fields.floor", problem: "must be a number" },
    { field: "fields.moving_date", problem: "must be a date YYYY-MM-DD" },
    { field: "fields.remark", problem: "must be text" },
    { field: "fields.colour", problem: "is not a defined contact field" },
  ]);
});

test("spreadsheet cells: thousands separators and day-first dates; impossible dates refused", () => {
  expect(checkFieldValues(DEFS, { floor: "1,200", moving_date: "31/12/2025" }, { fromText: true }).values).toEqual({ floor: 1200, moving_date: "2025-12-31" });
  expect(checkFieldValues(DEFS, { moving_date: "1.2.2026" }, { fromText: true }).values).toEqual({ moving_date: "2026-02-01" });
  expect(checkFieldValues(DEFS, { moving_date: "2025-02-30" }, { fromText: true }).problems).toHaveLength(1);
  expect(checkFieldValues(DEFS, { moving_date: "31/02/2025" }, { fromText: true }).problems).toHaveLength(1);
});

test("null removes a value; a required field cannot be removed or left empty", () => {
  expect(checkFieldValues(DEFS, { floor: null, gone: null })).toEqual({ values: { floor: null, gone: null }, problems: [] });
  expect(checkFieldValues(DEFS, { size: null }).problems).toEqual([{ field: "fields.size", problem: "is required" }]);
  expect(missingRequired(DEFS, { floor: 1 })).toEqual([{ field: "fields.size", problem: "is required" }]);
  expect(missingRequired(DEFS, { size: "S" })).toEqual([]);
});
