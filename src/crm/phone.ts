/**
 * Phone numbers to E.164 so one person is one contact however the number was written:
 * "+972 50-123-4567", "050-1234567", "00972501234567", "whatsapp:+972501234567" → "+972501234567".
 * National numbers (leading 0) are read as Israeli unless another default country code is given.
 */
export function normalizePhone(raw: string, defaultCountry = "972"): string | undefined {
  const trimmed = raw.trim().replace(/^(whatsapp|tel|sip):/i, "");
  const digits = trimmed.replace(/[^\d+]/g, "");
  if (!digits) return undefined;
  let e164: string;
  if (digits.startsWith("+")) e164 = "+" + digits.slice(1).replace(/\+/g, "");
  else if (digits.startsWith("00")) e164 = "+" + digits.slice(2);
  else if (digits.startsWith("0")) e164 = `+${defaultCountry}${digits.slice(1)}`;
  else if (digits.startsWith(defaultCountry) && digits.length >= 11) e164 = "+" + digits;
  else e164 = "+" + digits;
  return /^\+[1-9]\d{6,14}$/.test(e164) ? e164 : undefined;
}
