/**
 * The payments API (session required): POST /api/crm/payments creates a link and answers 201 `{id, status, url, …}`;
 * GET /api/crm/payments lists (filter by status, contact, provider, created date; paged `{items,total,page,limit}`);
 * GET /api/crm/payments/:id shows one with its provider references and event history. Agents see and create
 * payments only for contacts they own (404 otherwise).
 */
import { Hono } from "hono";
import { z } from "zod";
import { PAYMENT_CURRENCIES, PAYMENT_STATUSES } from "../../crm/payments.ts";
import { stripeGone } from "../../payments/stripe-gone.ts";
import { publicBaseUrl } from "../../transports/twilio/base-url.ts";
import { readJson, validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

/** 99,999,999 minor units = 999,999.99: far above a small business's payment link, far below float trouble. */
export const MAX_AMOUNT = 99_999_999;

const createBody = z.object({
  contactId: z.number().int().positive().optional(),
  amount: z
    .number({ error: "must be an integer number of minor units (agorot, cents)" })
    .int("must be an integer number of minor units (agorot, cents), e.g. 15000 for 150.00")
    .min(1, "must be at least 1")
    .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`),
  currency: z.enum(PAYMENT_CURRENCIES, { error: `must be one of ${PAYMENT_CURRENCIES.join(", ")}` }),
  description: z.string().trim().min(1, "is required").max(127, "must be at most 127 characters"),
  provider: z.enum(["paypal", "tranzila"], { error: 'must be "paypal" or "tranzila"' }),
});

const listQuery = z.object({
  status: z.enum(PAYMENT_STATUSES).optional(),
  contactId: z.coerce.number().int().positive().optional(),
  provider: z.enum(["paypal", "tranzila"]).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const idParam = z.object({ id: z.coerce.number().int().positive() });

export function paymentRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .post("/", async (c) => {
      const body = await readJson(c, z.looseObject({ provider: z.unknown().optional() }));
      if (typeof body.provider === "string" && body.provider.toLowerCase() === "stripe") throw stripeGone("provider");
      const input = validate(createBody, body);
      const user = c.get("user");
      const payment = await deps.services().payments.createLink(input, {
        actor: { id: user.id, role: user.role },
        baseUrl: publicBaseUrl(deps.config.publicBaseUrl, c.req.raw),
      });
      return c.json(payment, 201);
    })
    .get("/", (c) => {
      const q = validate(listQuery, c.req.query());
      const user = c.get("user");
      return c.json(deps.services().payments.list(q, { id: user.id, role: user.role }));
    })
    .get("/:id", (c) => {
      const { id } = validate(idParam, { id: c.req.param("id") });
      const user = c.get("user");
      return c.json(deps.services().payments.show(id, { id: user.id, role: user.role }));
    });
}
