/**
 * WhatsApp's pairing QR for people: an SVG for the admin app's settings page, and a compact block of Unicode
 * half-blocks for the terminal (two QR rows per text line), both from the raw `qr` string Baileys emits.
 */
import { renderSVG, renderUnicodeCompact } from "uqr";

export function qrSvg(qr: string): string {
  return renderSVG(qr, { border: 2 });
}

export function qrTerminal(qr: string): string {
  // light modules are printed as blocks: right for the usual light-on-dark terminal
  return renderUnicodeCompact(qr, { border: 2 });
}
