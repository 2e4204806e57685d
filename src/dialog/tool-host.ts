/**
 * What the dialog's tools act through, and the shape of a tool. The host is implemented by the composition root
 * over the CRM, WhatsApp and payments (src/compose/call-tools.ts), so the dialog and the call engine never import
 * them. Sending answers an outcome, never a throw: the model must be told plainly whether anything reached the
 * caller, so the agent never claims a message that was not sent.
 */
import type { z } from "zod";
import type { ToolSpec } from "../providers/llm.ts";

export interface LeadInput {
  name?: string;
  need?: string;
  area?: string;
  budget?: string;
  notes?: string;
}

/**
 * Why a WhatsApp message did not reach the caller:
 * no_number — the caller's number is hidden; no_channel — no WhatsApp channel can send now; not_on_whatsapp —
 * the number cannot receive WhatsApp messages; window — Twilio's 24-hour rule (63016: the caller has not written
 * to the business in the last 24 hours); busy — too many messages to this number are waiting; limit — this call
 * already sent as many as one call may; pending — handed over but not confirmed in time; failed — anything else.
 */
export type NotSent = "no_number" | "no_channel" | "not_on_whatsapp" | "window" | "busy" | "limit" | "pending" | "failed";

export type SendOutcome = { sent: true; messageId: number; again?: boolean } | { sent: false; why: NotSent; detail?: string };

export type Currency = "ILS" | "USD";

/** What the business allows the agent to ask for (its settings), amounts in minor units. */
export interface PaymentLinkPolicy {
  currency: Currency;
  /** The most one link may ask for (minor units); none → no limit. */
  maxAmount?: number;
  /** When set, every link carries exactly this description (the model cannot write its own). */
  description?: string;
}

/**
 * Why a payment link did not reach the caller: a WhatsApp reason, or not_configured (the provider or
 * PUBLIC_BASE_URL is not set up) / provider_failed (the provider failed or timed out: no link exists).
 * `created` says whether a payment record exists for it (then it is marked as never sent).
 */
export type LinkOutcome =
  | { sent: true; paymentId: number; amount: number; currency: Currency }
  | { sent: false; why: NotSent | "not_configured" | "provider_failed"; created: boolean; detail?: string };

/** What tools reach outside the dialog through. A method may return a promise (awaited); a throw is told to the model. */
export interface ToolHost {
  saveLead(lead: LeadInput): unknown;
  scheduleCallback(input: { when: string; notes?: string }): unknown;
  /** Whether this call can be transferred to a person (a number and Twilio credentials). */
  canTransfer: boolean;
  /** A WhatsApp message to the caller's own number (never any other), through the one send path. */
  sendWhatsapp?(text: string): Promise<SendOutcome>;
  /** The business's details as a WhatsApp message (its own text, or name, hours and services), if it has any. */
  businessDetails?: string;
  /** Present when the business lets the agent send payment links. */
  paymentLinks?: PaymentLinkPolicy;
  /** Creates a payment link for the caller and sends it to their WhatsApp; `amount` in minor units. */
  sendPaymentLink?(input: { amount: number; description: string }): Promise<LinkOutcome>;
}

export type CallAction = "hangup" | "transfer";

export interface ToolResult {
  /** The text the model reads as the tool's answer. */
  result: string;
  action?: CallAction;
}

export interface Tool<A> {
  spec: ToolSpec["function"];
  /** The arguments' check (the model's output is untrusted input); a function when it depends on the call. */
  args: z.ZodType<A> | ((host: ToolHost) => z.ZodType<A>);
  /** Offered to the model only when this holds for the call. */
  available?(host: ToolHost): boolean;
  /** It sends the caller something that cannot be taken back: never run for an answer the caller may not get. */
  reachesCaller?: boolean;
  /** A line for the system prompt when the tool is offered. */
  guidance?(host: ToolHost): string;
  run(host: ToolHost, args: A): ToolResult | Promise<ToolResult>;
}

export const defineTool = <A>(t: Tool<A>): Tool<unknown> => t as Tool<unknown>;
