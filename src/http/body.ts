/**
 * Reads and validates a JSON body at the edge: a body not declared as JSON → 415 (a cross-site form can send
 * text/plain without a CORS preflight, never application/json); malformed JSON → 400 `bad_json`; a schema failure
 * → 422 naming the first field at fault, e.g. `email: must be an email address`.
 */
import type { Context } from "hono";
import type { z } from "zod";
import { AppError } from "../errors.ts";

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header("content-type") ?? "";
  if (!JSON_TYPE.test(type))
    throw new AppError("unsupported_media_type", `send the body as JSON with Content-Type: application/json (got ${type ? JSON.stringify(type.slice(0, 60)) : "none"})`);
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new AppError("bad_json", "request body is not valid JSON");
  }
  return validate(schema, raw);
}

/**
 * Validates any untrusted value (a query, a form, a path parameter) the same way; `code` bad_request for inputs that
 * are not ours (webhooks' forms: 400); `name`: what a single value is called (a path parameter's name), else "body".
 */
export function validate<S extends z.ZodType>(schema: S, raw: unknown, code: "validation" | "bad_request" = "validation", name = "body"): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.join(".") || name;
  throw new AppError(code, `${field}: ${issue.message}`, field);
}
