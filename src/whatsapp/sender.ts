/**
 * The one way anything sends a WhatsApp message — the API, the inbox's reply box, a dialog tool:
 * `sender.send({ to | contactId, text })`. It picks the channel (the linked phone through Baileys when connected,
 * else Twilio's WhatsApp sender, else a 503 naming what to configure), keeps the message as `queued`, waits its
 * turn in the recipient's pacing queue, and marks it `sent` once the provider takes it (or `failed` with the
 * reason). Delivery and read receipts move it on later.
 *
 * @example await sender.send({ to: "050-123-4567", text: "Here are the details…" })
 */
import type { ContactService } from "../crm/contacts.ts";
import type { MessageRow, MessageService } from "../crm/messages.ts";
import { normalizePhone } from "../crm/phone.ts";
import type { MessageChannel } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { EV, log } from "../log.ts";
import type { SendResult, WaState } from "./protocol.ts";
import type { SendQueue } from "./send-queue.ts";
import type { TwilioWhatsapp } from "./twilio-whatsapp.ts";

/** What the sender needs of the Baileys side (the supervisor). */
export interface BaileysChannel {
  readonly connected: boolean;
  readonly summary: { state: WaState; reason: string };
  send(to: string, text: string): Promise<SendResult>;
}

export interface SendRequest {
  /** A phone number in any common form; or give `contactId`. */
  to?: string;
  contactId?: number;
  text?: string;
  /** An approved Twilio template (sent through Twilio only), with its variables. */
  contentSid?: string;
  contentVariables?: Record<string, string>;
  /** The admin user sending, when it is a person. */
  sentById?: number;
}

/** WhatsApp's own limit is 65,536 characters; Twilio's is 1,600. */
export const MAX_TEXT = { baileys: 4096, twilio: 1600 } as const;

export class WhatsappSender {
  constructor(
    private d: {
      messages: MessageService;
      contacts: ContactService;
      queue: SendQueue;
      baileys?: BaileysChannel;
      twilio: TwilioWhatsapp;
      /** PUBLIC_BASE_URL, for Twilio's status callback; without it Twilio sends no delivery updates. */
      publicBaseUrl?: string;
    },
  ) {}

  /** Which channel a send would use now, or why none can. */
  channel(template: boolean): MessageChannel {
    if (!template && this.d.baileys?.connected) return "baileys";
    if (this.d.twilio.canSend) return "twilio";
    if (template) throw new AppError("unavailable", "templates (contentSid) are sent through Twilio: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM");
    const b = this.d.baileys?.summary;
    const linked = b ? `the linked WhatsApp is not connected (${b.state}: ${b.reason})` : "WhatsApp is not linked (WHATSAPP_ENABLED=false)";
    throw new AppError("unavailable", `cannot send: ${linked}; link a phone in Settings → WhatsApp, or set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM`);
  }

  async send(r: SendRequest): Promise<MessageRow> {
    const template = Boolean(r.contentSid);
    if (!template && !r.text?.trim()) throw new AppError("validation", "text: is required", "text");
    // a bad number is the caller's mistake (422) whatever the state of the channels
    if (r.to !== undefined && !normalizePhone(r.to)) throw new AppError("validation", "to: is not a phone number (use the international form, e.g. +972501234567)", "to");
    const channel = this.channel(template);
    if (r.text && r.text.length > MAX_TEXT[channel]) throw new AppError("validation", `text: at most ${MAX_TEXT[channel]} characters on this channel`, "text");
    const { contactId, phone, jid } = this.address(r, channel);

    const row = this.d.messages.queue({ contactId, channel, remote: channel === "twilio" ? `whatsapp:${phone}` : jid, text: r.text ?? `[template ${r.contentSid}]`, sentById: r.sentById });
    try {
      const providerId = await this.d.queue.run(phone ?? jid!, async () => {
        // the contact (and with it this message) may have been deleted while the send waited its turn: abandon it
        if (!this.d.messages.byId(row.id)) throw new AppError("gone", `${r.to !== undefined ? "to" : "contactId"}: the contact was deleted while the message waited its turn; nothing was sent`, r.to !== undefined ? "to" : "contactId");
        if (channel === "baileys") return (await this.d.baileys!.send(jid!, r.text!)).providerId;
        const statusCallback = this.d.publicBaseUrl ? `${this.d.publicBaseUrl}/webhook/whatsapp/status` : undefined;
        return (await this.d.twilio.send({ to: phone!, body: r.text, contentSid: r.contentSid, contentVariables: r.contentVariables, statusCallback })).sid;
      });
      const sent = this.d.messages.accepted(row.id, providerId);
      log.info(EV.WHATSAPP_SENT, { channel, messageId: row.id, contactId, ...(sent ? {} : { kept: false }) });
      // deleted during the provider's answer: the message went out, only its record is gone with the contact
      return sent ?? { ...row, providerId, status: "sent" };
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError("unavailable", `WhatsApp could not send: ${err instanceof Error ? err.message : String(err)}`);
      this.d.messages.failed(row.id, { errorCode: /\(Twilio (\d+)\)/.exec(e.message)?.[1], errorMessage: e.message });
      log.warn(EV.WHATSAPP_SEND_FAILED, { channel, messageId: row.id, contactId, reason: e.message });
      throw e;
    }
  }

  /** The contact and the address on `channel`: a number (E.164), or for Baileys a JID (a LID when that is all we have). */
  private address(r: SendRequest, channel: MessageChannel): { contactId: number; phone?: string; jid?: string } {
    if (r.to !== undefined) {
      const phone = normalizePhone(r.to)!;
      const contact = this.d.contacts.identities.resolve({ kind: "phone", value: phone }, { source: "whatsapp" });
      return { contactId: contact.id, phone, jid: `${phone.slice(1)}@s.whatsapp.net` };
    }
    const contact = r.contactId !== undefined ? this.d.contacts.byId(r.contactId) : undefined;
    if (!contact) throw new AppError(r.contactId === undefined ? "validation" : "not_found", r.contactId === undefined ? "to: is required (or contactId)" : `no contact ${r.contactId}`, r.contactId === undefined ? "to" : "contactId");
    const ids = this.d.contacts.identities.of(contact.id);
    const phone = ids.map((i) => (i.kind === "phone" ? normalizePhone(i.value) : undefined)).find(Boolean);
    if (phone) return { contactId: contact.id, phone, jid: `${phone.slice(1)}@s.whatsapp.net` };
    const lid = ids.find((i) => i.kind === "lid")?.value;
    if (channel === "baileys" && lid) return { contactId: contact.id, jid: lid };
    const twilioUser = ids.find((i) => i.kind === "twilio_user")?.value;
    if (twilioUser) throw new AppError("validation", hiddenNumber(contact.id, twilioUser), "contactId");
    throw new AppError("validation", `contact ${contact.id} has no WhatsApp number${lid ? " Twilio can use" : ""}`, "contactId");
  }
}

/**
 * Why a contact known only by Twilio's business-scoped user id (a WhatsApp user who hides their number behind a
 * username) cannot be answered. Twilio documents such an id arriving in `From`/`ExternalUserId`, but not as a `To`
 * it accepts (integrations that tried say sending to it is not supported yet), and WhatsApp Web has no address for
 * it either; so nothing is sent — rather than a send Twilio may drop or bill — until the contact has a number.
 */
export function hiddenNumber(contactId: number, userId: string): string {
  return `contact ${contactId} is known on WhatsApp only by the id ${userId.slice(0, 80)} (they hide their number behind a WhatsApp username), and Twilio does not document sending to such an id: replies cannot be sent until the contact's phone number is added (ask them to share it)`;
}
