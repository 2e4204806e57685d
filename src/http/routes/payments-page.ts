/**
 * The small page a buyer sees after paying (or not) at PayPal or Tranzila: Hebrew and English, no script, no
 * details beyond the payment's state. Nothing here decides anything; the state comes from the provider's check.
 */
import type { PaymentStatus } from "../../crm/payments.ts";

export type PageKind = "paid" | "pending" | "failed" | "expired" | "cancelled" | "refunded" | "unknown" | "error";

const TEXT: Record<PageKind, { he: string; en: string }> = {
  paid: { he: "התשלום התקבל. תודה!", en: "Payment received. Thank you!" },
  pending: { he: "התשלום עדיין לא אושר. אם לא השלמתם אותו, אפשר לנסות שוב.", en: "The payment is not confirmed yet. If you did not complete it, you can try again." },
  failed: { he: "התשלום לא הצליח.", en: "The payment did not go through." },
  expired: { he: "תוקף הקישור לתשלום פג. בקשו קישור חדש.", en: "This payment link has expired. Please ask for a new one." },
  cancelled: { he: "התשלום בוטל. אפשר לחזור ולשלם בכל עת דרך הקישור.", en: "The payment was cancelled. You can pay any time from the link." },
  refunded: { he: "התשלום הוחזר.", en: "This payment was refunded." },
  unknown: { he: "לא מצאנו את התשלום הזה.", en: "We could not find this payment." },
  error: { he: "לא הצלחנו לאשר את התשלום כרגע. אם שילמתם, הוא יאושר אוטומטית.", en: "We could not confirm the payment right now. If you paid, it will be confirmed automatically." },
};

export function pageKindOf(status: PaymentStatus): PageKind {
  switch (status) {
    case "paid":
      return "paid";
    case "failed":
      return "failed";
    case "expired":
      return "expired";
    case "refunded":
      return "refunded";
    default:
      // created, pending, review: not confirmed (yet)
      return "pending";
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A complete HTML document; `retryUrl` (the provider's own link) is offered while the payment is still open. */
export function resultPage(kind: PageKind, retryUrl?: string | null): string {
  const t = TEXT[kind];
  const retry =
    retryUrl && (kind === "pending" || kind === "cancelled") && /^https:\/\//.test(retryUrl)
      ? `<p><a href="${escapeHtml(retryUrl)}">לתשלום · Pay</a></p>`
      : "";
  return `<!doctype html>
<html lang="he" dir="rtl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(t.he)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:15vh auto;padding:0 1rem;text-align:center;color:#1f2937}
h1{font-size:1.4rem}p[lang=en]{color:#6b7280}a{display:inline-block;padding:.6rem 1.2rem;border-radius:.5rem;background:#2563eb;color:#fff;text-decoration:none}</style>
</head><body><h1>${escapeHtml(t.he)}</h1><p lang="en" dir="ltr">${escapeHtml(t.en)}</p>${retry}</body></html>`;
}
