/**
 * `send_payment_link`: when the business enables it, the model creates a payment link for the caller and sends it
 * to their WhatsApp. The model speaks in major units ("150 shekels", "150.50"); its amount is checked and turned
 * into integer minor units here, at the edge, with the currency of the business's settings — a float never reaches
 * the payment. Over the business's maximum is refused with a reason the model can say; nothing is created then.
 */
import { z } from "zod";
import { fromDecimal, toDecimal } from "../payments/money.ts";
import { defineTool, type Currency, type LinkOutcome, type ToolHost } from "./tool-host.ts";
import { NOT_SENT_REASON, onlyThese } from "./whatsapp-tool.ts";

export const MAX_DESCRIPTION = 120;

/** Currency words and signs a model may leave in an amount, and the currency each names. */
const CURRENCY_WORDS: Array<[RegExp, Currency]> = [
  [/₪|\bils\b|\bnis\b|shekels?|ש["״]ח|שקלים|שקל/giu, "ILS"],
  [/\$|\busd\b|dollars?|דולרים|דולר/giu, "USD"],
];

/** An amount as the model wrote it → a plain decimal string and the currency it named, if any. */
export function readAmount(raw: number | string): { decimal?: string; named?: Currency } {
  if (typeof raw === "number") return { decimal: Number.isFinite(raw) ? String(raw) : undefined };
  let text = raw.trim();
  let named: Currency | undefined;
  for (const [re, currency] of CURRENCY_WORDS) {
    const stripped = text.replace(re, "");
    if (stripped !== text) named = currency;
    text = stripped;
  }
  text = text.replace(/\s+/g, "");
  // thousands separators only in their one unambiguous form: 1,500 / 12,000.50 (never "1,5")
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) text = text.replace(/,/g, "");
  return { decimal: text, named };
}

/** The tool's arguments for this call: the amount becomes integer minor units of the business's currency. */
export function paymentLinkArgs(currency: Currency) {
  const malformed = `must be an amount in ${currency} such as 150 or 150.50`;
  return z.strictObject(
    {
      amount: z.union([z.number(), z.string()], { error: malformed }).transform((raw, ctx) => {
        const { decimal, named } = readAmount(raw);
        if (named && named !== currency) {
          ctx.addIssue({ code: "custom", message: `payment links are in ${currency} only; ask for the amount in ${currency}` });
          return z.NEVER;
        }
        const minor = decimal === undefined ? undefined : fromDecimal(decimal, currency);
        if (minor === undefined) {
          ctx.addIssue({ code: "custom", message: malformed });
          return z.NEVER;
        }
        if (minor <= 0) {
          ctx.addIssue({ code: "custom", message: "must be more than 0" });
          return z.NEVER;
        }
        return minor;
      }),
      currency: z
        .string()
        .trim()
        .toUpperCase()
        .refine((c) => c === currency, `payment links are in ${currency} only`)
        .optional(),
      description: z.string().trim().min(1).max(MAX_DESCRIPTION, `at most ${MAX_DESCRIPTION} characters`).optional(),
    },
    onlyThese("only `amount`, `currency` and `description`: the link always goes to the caller's own number"),
  );
}

type Args = z.infer<ReturnType<typeof paymentLinkArgs>>;

const money = (minor: number, currency: Currency) => `${toDecimal(minor, currency)} ${currency}`;

/** What the model is told when no link reached the caller. */
export function linkNotSentText(r: Extract<LinkOutcome, { sent: false }>): string {
  if (r.why === "pending") return "not confirmed yet: the link is being created and sent but was not confirmed in time. Say it should arrive shortly on WhatsApp; do not promise it.";
  const reason =
    r.why === "not_configured"
      ? "payment links are not set up on this server"
      : r.why === "provider_failed"
        ? "the payment provider did not answer"
        : NOT_SENT_REASON[r.why];
  const what = r.created ? "The link was created but never reached the caller, so it is cancelled." : "No link was created.";
  return `not sent: ${reason}. ${what} Do not tell the caller a link was sent; tell them the team will send the payment details.`;
}

export const paymentLinkTool = defineTool({
  spec: {
    name: "send_payment_link",
    description:
      "Create a payment link for the caller and send it to their WhatsApp (their own number). Use it only when the caller agrees to pay a specific amount. Only say it was sent if this tool answers 'sent'.",
    parameters: {
      type: "object",
      properties: {
        amount: { type: "string", description: "the amount in the business's currency as the caller would say it, e.g. \"150\" or \"150.50\" (not agorot or cents)" },
        currency: { type: "string", enum: ["ILS", "USD"] },
        description: { type: "string", description: `what the payment is for, in a few words (at most ${MAX_DESCRIPTION} characters)` },
      },
      required: ["amount"],
      additionalProperties: false,
    },
  },
  args: (host: ToolHost) => paymentLinkArgs(host.paymentLinks?.currency ?? "ILS"),
  reachesCaller: true,
  available: (host) => Boolean(host.paymentLinks && host.sendPaymentLink),
  guidance: (host) => {
    const p = host.paymentLinks!;
    const limits = [`in ${p.currency}`, p.maxAmount !== undefined ? `at most ${money(p.maxAmount, p.currency)}` : "", p.description ? `always for "${p.description}"` : ""].filter(Boolean);
    return `send_payment_link sends the caller a payment link on WhatsApp (${limits.join(", ")}); never say a link was sent unless it answered 'sent'.`;
  },
  run: async (host: ToolHost, args: Args) => {
    const policy = host.paymentLinks;
    if (!policy || !host.sendPaymentLink) return { result: "not sent: payment links are not enabled for this business. No link was created. Tell the caller the team will send the payment details." };
    if (policy.maxAmount !== undefined && args.amount > policy.maxAmount)
      return {
        result: `refused: ${money(args.amount, policy.currency)} is more than the most a link from a call may ask for (${money(policy.maxAmount, policy.currency)}). No link was created. Tell the caller the team will contact them about this payment.`,
      };
    const description = policy.description ?? args.description;
    if (!description) return { result: "error: description: say in a few words what the payment is for" };
    const r = await host.sendPaymentLink({ amount: args.amount, description });
    if (r.sent) return { result: `sent: a payment link for ${money(r.amount, r.currency)} (${description}) is on the caller's WhatsApp` };
    return { result: linkNotSentText(r) };
  },
});
