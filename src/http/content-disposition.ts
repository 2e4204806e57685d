/**
 * A Content-Disposition header for a file name from outside (a WhatsApp sender's document name, often Hebrew):
 * header values must be Latin-1 (Bun refuses anything else, which was a 500), so the real name goes in RFC 5987's
 * `filename*=UTF-8''…` (every browser reads it) and `filename="…"` carries an ASCII fallback for older clients.
 *
 * @example contentDisposition("attachment", "הצעת מחיר.pdf", "baileys-3EB0-0.pdf")
 *   // attachment; filename="baileys-3EB0-0.pdf"; filename*=UTF-8''%D7%94%D7%A6...
 */

/** Printable ASCII without the quote and backslash a quoted-string would need escaped. */
const asciiOnly = (s: string) => s.replace(/[^\x20-\x7e]|["\\]/g, "_");

/** encodeURIComponent leaves `'()*` as they are; RFC 5987's attr-char does not allow them. */
const rfc5987 = (s: string) => encodeURIComponent(s).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/** `fallback`: the ASCII name to offer when `name` is not ASCII (else `name` with its other characters as `_`). */
export function contentDisposition(type: "inline" | "attachment", name: string, fallback?: string): string {
  const plain = /^[\x20-\x7e]*$/.test(name) ? name : (fallback ?? name);
  return `${type}; filename="${asciiOnly(plain)}"; filename*=UTF-8''${rfc5987(name)}`;
}
