/** The one-line answers (501) when a provider's variables are missing: they name exactly what to set. */
import { AppError } from "../errors.ts";

export const NOT_CONFIGURED = {
  paypal: "PayPal is not configured: set PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET (and PAYPAL_WEBHOOK_ID for its webhook)",
  tranzila: "Tranzila is not configured: set TRANZILA_TERMINAL, TRANZILA_APP_KEY and TRANZILA_SECRET",
} as const;

export function notConfigured(provider: keyof typeof NOT_CONFIGURED, field?: string): AppError {
  return new AppError("not_configured", NOT_CONFIGURED[provider], field);
}
