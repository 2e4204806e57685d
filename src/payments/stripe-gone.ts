/**
 * Stripe is retired: AgentLocator takes payments through PayPal and Tranzila only. No Stripe package or code is
 * loaded; anything that still calls a Stripe route (an old webhook, an old link) gets a short, final answer.
 */
import { AppError } from "../errors.ts";

export const STRIPE_GONE_MESSAGE = "Stripe payments are retired; use PayPal or Tranzila (provider: \"paypal\" | \"tranzila\")";

export function stripeGone(field?: string): AppError {
  return new AppError("gone", STRIPE_GONE_MESSAGE, field);
}
