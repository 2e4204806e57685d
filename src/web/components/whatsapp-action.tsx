/**
 * The contact page's "Send WhatsApp" action: the contact's conversation in the inbox, where the reply box sends
 * through POST /api/whatsapp/send. Shown when the contact can be reached on WhatsApp (a number, or a WhatsApp id).
 */
import { MessageCircle } from "lucide-preact";
import { t } from "../i18n.ts";
import type { Contact } from "../types.ts";
import { buttonClass } from "../ui.tsx";

export function WhatsappAction(props: { contact: Contact }) {
  const c = props.contact;
  if (!c.phone && !c.identities?.some((i) => i.kind === "phone" || i.kind === "whatsapp" || i.kind === "lid")) return null;
  return (
    <a href={`/app/admin/inbox/${c.id}`} class={buttonClass("secondary", true)}>
      <MessageCircle size={16} aria-hidden="true" />
      {t("waSend")}
    </a>
  );
}
