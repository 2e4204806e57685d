/**
 * X-Twilio-Signature check with twilio's own validateRequest, against the *public* URL (PUBLIC_BASE_URL + path +
 * query) — behind a proxy the URL the server sees is not the one Twilio signed.
 */
import { validateRequest } from "twilio/lib/webhooks/webhooks";

export function isValidTwilioSignature(authToken: string, signature: string | undefined, publicUrl: string, params: Record<string, string>): boolean {
  if (!signature) return false;
  return validateRequest(authToken, signature, publicUrl, params);
}
