/**
 * Custom contact fields: their definitions (kept in settings) and the checking of values against them.
 * A value is stored under the field's key in `contacts.fields`: text and select as strings, number as a number,
 * date as `YYYY-MM-DD`. Values typed in a spreadsheet are read leniently (`1,250.5`, `31/12/2025`).
 *
 * @example checkFieldValues(defs, { size: "L", floor: "3" }, { fromText: true }) // → { values: { size: "L", floor: 3 }, problems: [] }
 */
import { z } from "zod";

export const FIELD_TYPES = ["text", "number", "date", "select"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Column names a CSV file already uses for a contact's own properties; a custom field cannot take one. */
export const RESERVED_FIELD_KEYS = ["id", "name", "phone", "email", "status", "tags", "owner", "owner_id", "source", "need", "area", "budget", "notes", "created_at", "last_contact_at"];

const label = z.string().trim().min(1, "is required").max(80);

export const fieldDefinitionSchema = z
  .object({
    key: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9_]{0,39}$/, "must be lower-case latin letters, digits and _ (starting with a letter, ≤ 40)")
      .refine((k) => !RESERVED_FIELD_KEYS.includes(k), "is a built-in contact property"),
    label: z.object({ he: label.optional(), en: label.optional() }).refine((l) => l.he || l.en, "needs a Hebrew or an English label"),
    type: z.enum(FIELD_TYPES),
    /** The choices of a select field. */
    options: z.array(z.string().trim().min(1).max(80)).max(100).optional(),
    required: z.boolean().default(false),
  })
  .superRefine((d, ctx) => {
    if (d.type === "select") {
      if (!d.options?.length) ctx.addIssue({ code: "custom", path: ["options"], message: "a select field needs at least one option" });
      else if (new Set(d.options).size !== d.options.length) ctx.addIssue({ code: "custom", path: ["options"], message: "options must be unique" });
    } else if (d.options?.length) ctx.addIssue({ code: "custom", path: ["options"], message: `only a select field has options (this one is ${d.type})` });
  });

export const fieldDefinitionsSchema = z
  .array(fieldDefinitionSchema)
  .max(50)
  .superRefine((defs, ctx) => {
    const seen = new Set<string>();
    defs.forEach((d, i) => {
      if (seen.has(d.key)) ctx.addIssue({ code: "custom", path: [i, "key"], message: `"${d.key}" is defined twice` });
      seen.add(d.key);
    });
  });

export type FieldDefinition = z.infer<typeof fieldDefinitionSchema>;
export type FieldValue = string | number | boolean | null;

export interface FieldProblem {
  /** `fields.<key>` */
  field: string;
  problem: string;
}

/**
 * Checks `input` (key → value; null removes a value) against the definitions. Unknown keys are problems, except
 * a null (removing a value whose definition was deleted). `fromText`: values come from a spreadsheet cell.
 */
export function checkFieldValues(defs: FieldDefinition[], input: Record<string, unknown>, o: { fromText?: boolean } = {}): { values: Record<string, FieldValue>; problems: FieldProblem[] } {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const values: Record<string, FieldValue> = {};
  const problems: FieldProblem[] = [];
  for (const [key, raw] of Object.entries(input)) {
    const field = `fields.${key}`;
    const def = byKey.get(key);
    if (raw === null || raw === undefined || (typeof raw === "string" && raw.trim() === "")) {
      if (def?.required) problems.push({ field, problem: "is required" });
      else values[key] = null;
      continue;
    }
    if (!def) {
      problems.push({ field, problem: "is not a defined contact field" });
      continue;
    }
    const checked = checkValue(def, raw, o.fromText ?? false);
    if ("problem" in checked) problems.push({ field, problem: checked.problem });
    else values[key] = checked.value;
  }
  return { values, problems };
}

/** Required fields that `merged` (the contact's values after a change) leaves empty. */
export function missingRequired(defs: FieldDefinition[], merged: Record<string, FieldValue | undefined>): FieldProblem[] {
  return defs.filter((d) => d.required && (merged[d.key] === undefined || merged[d.key] === null || merged[d.key] === "")).map((d) => ({ field: `fields.${d.key}`, problem: "is required" }));
}

function checkValue(def: FieldDefinition, raw: unknown, fromText: boolean): { value: FieldValue } | { problem: string } {
  switch (def.type) {
    case "text":
      if (typeof raw !== "string" && typeof raw !== "number") return { problem: "must be text" };
      if (String(raw).length > 2000) return { problem: "must be at most 2000 characters" };
      return { value: String(raw).trim() };
    case "number": {
      const n = typeof raw === "number" ? raw : typeof raw === "string" && (fromText || /^-?\d+(\.\d+)?$/.test(raw.trim())) ? Number(raw.trim().replace(/,/g, "")) : NaN;
      return Number.isFinite(n) ? { value: n } : { problem: "must be a number" };
    }
    case "date": {
      const d = typeof raw === "string" ? readDate(raw.trim(), fromText) : undefined;
      return d ? { value: d } : { problem: fromText ? "must be a date (YYYY-MM-DD or DD/MM/YYYY)" : "must be a date YYYY-MM-DD" };
    }
    case "select": {
      const v = typeof raw === "string" ? raw.trim() : String(raw);
      return def.options?.includes(v) ? { value: v } : { problem: `must be one of: ${def.options?.join(", ")}` };
    }
  }
}

/** `YYYY-MM-DD`, or from a spreadsheet also `DD/MM/YYYY` and `D.M.YYYY` (Israeli day-first order) — checked to exist. */
function readDate(s: string, fromText: boolean): string | undefined {
  let m = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if (fromText && (m = s.match(/^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/))) [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

/** Values without the empty ones (null, undefined, ""): an empty value means "not set". */
export function withoutEmpty(values: Record<string, FieldValue | undefined>): Record<string, FieldValue> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null && v !== undefined && v !== "")) as Record<string, FieldValue>;
}
