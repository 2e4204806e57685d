/**
 * The actions on a contact's page (a row of buttons under its name). Other areas add theirs here:
 * the WhatsApp area a "Send WhatsApp" action and the payments area a "Payment link" action, each a component
 * taking the contact. Keep each action a small component of its own file.
 */
import { Phone as PhoneIcon } from "lucide-preact";
import { t } from "../i18n.ts";
import type { Contact } from "../types.ts";
import { buttonClass } from "../ui.tsx";
import { PaymentLinkAction } from "./payment-link-action.tsx";
import { WhatsappAction } from "./whatsapp-action.tsx";

export function ContactActions(props: { contact: Contact }) {
  const c = props.contact;
  return (
    <div class="flex flex-wrap gap-2" data-slot="contact-actions">
      {c.phone && (
        <a href={`tel:${c.phone}`} class={buttonClass("secondary", true)}>
          <PhoneIcon size={16} aria-hidden="true" />
          {t("callNow")}
        </a>
      )}
      <WhatsappAction contact={c} />
      <PaymentLinkAction contact={c} />
    </div>
  );
}
