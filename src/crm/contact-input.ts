/**
 * What a person may send to create or change a contact (the API's JSON, a row of an imported CSV file), validated
 * with zod: phone numbers in any written form become E.164, tags are trimmed, lower-cased and unique, an empty
 * optional text means "no value". Custom field values are checked separately against their definitions.
 */
import { z } from "zod";
import { CONTACT_STATUSES } from "../db/schema.ts";
import { normalizePhone } from "./phone.ts";

/** "" (an emptied form input) is null: the value is removed. */
const emptyIsNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const text = (max: number) => z.preprocess(emptyIsNull, z.string().trim().max(max, `must be at most ${max} characters`).nullish());

export const phoneSchema = z
  .string()
  .trim()
  .max(40)
  .transform((raw, ctx) => {
    const e164 = normalizePhone(raw);
    if (!e164) ctx.addIssue({ code: "custom", message: "is not a phone number (e.g. 050-123-4567 or +972501234567)" });
    return e164 ?? raw;
  });

export const tagsSchema = z
  .array(z.string().trim().min(1, "a tag cannot be empty").max(50, "a tag is at most 50 characters"))
  .max(50, "at most 50 tags")
  .transform((tags) => [...new Set(tags.map((t) => t.toLowerCase()))]);

const contactFieldsShape = {
  name: text(200),
  phone: z.preprocess(emptyIsNull, phoneSchema.nullish()),
  email: z.preprocess(emptyIsNull, z.email("must be an email address").max(254).nullish()),
  status: z.enum(CONTACT_STATUSES, { message: `must be one of ${CONTACT_STATUSES.join(", ")}` }).optional(),
  tags: tagsSchema.optional(),
  ownerId: z.number().int().positive().nullish(),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  need: text(1000),
  area: text(200),
  budget: text(200),
  notes: text(10_000),
  source: text(40),
};

/** A change to a contact: only the properties present change (null clears one). */
export const contactPatchSchema = z.object(contactFieldsShape);
export type ContactPatch = z.infer<typeof contactPatchSchema>;

/** A new contact: at least a name, a phone or an email. */
export const contactCreateSchema = contactPatchSchema.refine((c) => c.name || c.phone || c.email, {
  message: "a contact needs a name, a phone or an email",
  path: ["name"],
});
export type ContactCreate = z.infer<typeof contactCreateSchema>;

export const mergeSchema = z.object({
  keepId: z.number().int().positive(),
  dropId: z.number().int().positive(),
});
