/**
 * Phone numbers to E.164 so one person is one contact however the number was written:
 * "+972 50-123-4567", "050-1234567", "+972 050-123-4567", "00972501234567", "whatsapp:+972501234567" → "+972501234567".
 * National numbers (a leading trunk 0, or no prefix at all) are read in the default country, Israel (+972).
 *
 * Parsing is libphonenumber-js (Google's libphonenumber rules). A number is accepted when it fits its country's
 * numbering plan — the lengths and leading digits the plan allows (`isValid()` with the library's "min" metadata).
 * Deliberately not the "max" metadata's check of which blocks operators have been assigned: that data changes every
 * few months and rejects real numbers the bundled copy does not know yet (it even rejects 050-123-4567).
 * Refused: text around the number ("call me 050…"), an extension ("… ext 12": E.164 has none, and a contact's number
 * must be one a call or a WhatsApp message can reach), letters, and anything too short or too long for its country.
 */
import { parsePhoneNumberFromString, type CountryCallingCode } from "libphonenumber-js/min";

export function normalizePhone(raw: string, defaultCountry = "972"): string | undefined {
  // "whatsapp:+972…" (Twilio), "tel:…" (links); "00" is the international prefix in Israel and most of the world
  const text = raw.trim().replace(/^(whatsapp|tel|sip):/i, "").trim().replace(/^00(?=[1-9])/, "+");
  if (!/\d/.test(text)) return undefined;
  // extract: false — the whole text must be the number, not merely contain one
  const parsed = parsePhoneNumberFromString(text, { defaultCallingCode: defaultCountry as CountryCallingCode, extract: false });
  if (!parsed || parsed.ext || !parsed.isValid()) return undefined;
  return parsed.number;
}
