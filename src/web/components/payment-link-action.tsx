/** The contact page's "Payment link" action: opens the payment-link dialog for this contact. */
import { CreditCard } from "lucide-preact";
import { useState } from "preact/hooks";
import { t } from "../i18n.ts";
import type { Contact } from "../types.ts";
import { buttonClass } from "../ui.tsx";
import { PaymentLinkDialog } from "./payment-link.tsx";

export function PaymentLinkAction(props: { contact: Contact }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" class={buttonClass("secondary", true)} onClick={() => setOpen(true)}>
        <CreditCard size={16} aria-hidden="true" />
        {t("pyLink")}
      </button>
      {open && <PaymentLinkDialog contact={props.contact} onClose={() => setOpen(false)} />}
    </>
  );
}
