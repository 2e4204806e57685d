/**
 * Reads and validates a JSON body at the edge: malformed JSON → 400 `bad_json`; a schema failure → 422 naming
 * the first field at fault, e.g. `email: must be an email address`.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../errors.ts";

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new AppError("bad_json", "request body is not valid JSON");
  }
  return validate(schema, raw);
}

/** Validates any untrusted value (a query, a form) the same way. */
export function validate<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".") || "body";
  throw new AppError("validation", `${field}: ${issue.message}`, field);
}
