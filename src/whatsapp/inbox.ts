/**
 * Inbound WhatsApp on the main thread, whichever way it came (the Baileys worker or Twilio's webhook): find or
 * create the contact by every address the message carries, keep the message once, publish it live.
 *
 * People are addressed by phone number and, more and more, by WhatsApp LID (`…@lid`); a message may carry both
 * (`remoteJidAlt`) or only one. Both are kept as identities of one contact, and when WhatsApp reveals that a LID
 * and a number are one person (a message with both, `lid-mapping.update`, history mappings), two contacts become
 * one (IdentityService.link merges them). A Twilio user who shows up by a business-scoped id instead of a number
 * is kept by that id (`twilio_user`).
 */
import type { Contact } from "../db/schema.ts";
import type { IdentityService } from "../crm/identities.ts";
import type { MessageRow, MessageService } from "../crm/messages.ts";
import { normalizePhone } from "../crm/phone.ts";
import { EV, log } from "../log.ts";
import type { MediaStore } from "./media-store.ts";
import type { InboundWa } from "./protocol.ts";
import { fetchTwilioMedia, twilioInbound, type PendingMedia, type TwilioInbound, type TwilioInboundForm } from "./twilio-inbound.ts";
import type { TwilioWhatsapp } from "./twilio-whatsapp.ts";

/** `972501234567@s.whatsapp.net` → `+972501234567`. */
export function phoneOfJid(jid: string | undefined): string | undefined {
  const user = jid?.split("@")[0]?.split(":")[0];
  return user && /^\d{7,15}$/.test(user) ? normalizePhone(`+${user}`) : undefined;
}

/** All of one Twilio message's media must be fetched within this (ms); what is left is reported as not downloaded. */
export const MEDIA_DEADLINE_MS = 5 * 60_000;

export class WhatsappInbox {
  constructor(
    private identities: IdentityService,
    private messages: MessageService,
    private twilio: { client: TwilioWhatsapp; media: MediaStore },
  ) {}

  /** The contact for a sender known by phone number and/or LID, merging the two when both are known. */
  contactFor(o: { phone?: string; lid?: string; name?: string }): Contact {
    const name = o.name?.trim() || undefined;
    if (o.phone) {
      const contact = this.identities.resolve({ kind: "phone", value: o.phone }, { source: "whatsapp", name });
      return o.lid ? this.identities.link(contact.id, { kind: "lid", value: o.lid }) : contact;
    }
    if (o.lid) return this.identities.resolve({ kind: "lid", value: o.lid }, { source: "whatsapp", name });
    throw new Error("a WhatsApp sender needs a phone number or a LID");
  }

  /** A message from the Baileys worker (media already saved by the worker). */
  receiveBaileys(m: InboundWa): { message: MessageRow; created: boolean } {
    const existing = this.messages.byProvider("baileys", m.providerId);
    if (existing) return { message: existing, created: false };
    if (m.mediaError) log.warn(EV.WHATSAPP_MEDIA_FAILED, { channel: "baileys", providerId: m.providerId, reason: m.mediaError });
    // our own messages sent from the phone app carry the business's name, not the customer's
    const contact = this.contactFor({ phone: phoneOfJid(m.pn), lid: m.lid, name: m.fromMe ? undefined : m.pushName });
    return this.kept(this.messages.record({
      contactId: contact.id,
      direction: m.fromMe ? "out" : "in",
      channel: "baileys",
      providerId: m.providerId,
      remote: m.remote,
      text: m.text ?? null,
      media: m.media,
      status: m.fromMe ? "sent" : "received",
      at: new Date(m.at),
      errorMessage: m.mediaError,
    }));
  }

  private kept(r: { message: MessageRow; created: boolean }) {
    if (r.created) log.info(EV.WHATSAPP_MESSAGE_IN, { channel: r.message.channel, direction: r.message.direction, messageId: r.message.id, contactId: r.message.contactId, media: r.message.media?.length ?? 0 });
    return r;
  }

  /** WhatsApp learned that a LID and a number are one person: one contact from now on. */
  linkLid(mappings: Array<{ lid: string; pn: string }>): number {
    let linked = 0;
    for (const { lid, pn } of mappings) {
      const phone = phoneOfJid(pn);
      if (!phone) continue;
      const byLid = this.identities.find({ kind: "lid", value: lid });
      const byPhone = this.identities.find({ kind: "phone", value: phone });
      if (byLid && byPhone && byLid.id === byPhone.id) continue;
      // a pair about nobody we know creates nothing (history sync carries thousands)
      if (byLid) this.identities.link(byLid.id, { kind: "phone", value: phone });
      else if (byPhone) this.identities.link(byPhone.id, { kind: "lid", value: lid });
      else continue;
      linked++;
    }
    return linked;
  }

  /**
   * Twilio's webhook form: the message is kept at once (Twilio waits 15 s for the answer, then fails the delivery
   * with 11200 and sends it again), and its media is fetched afterwards in the background. A copy of the webhook
   * arriving meanwhile finds the message and starts no second download: one fetch per MessageSid.
   */
  receiveTwilioWebhook(form: TwilioInboundForm, raw: Record<string, string>): { message: MessageRow; created: boolean } {
    const existing = this.messages.byProvider("twilio", form.MessageSid);
    if (existing) return { message: existing, created: false };
    const { message, media } = twilioInbound(form, raw);
    const r = this.receiveTwilio(message);
    if (r.created && media.length) this.fetchMedia(r.message, media);
    return r;
  }

  /** Downloads under way, by MessageSid (a message is fetched once, whoever asks). */
  private downloads = new Map<string, { done: Promise<void>; abort: AbortController }>();

  private fetchMedia(message: MessageRow, items: PendingMedia[]): void {
    const sid = message.providerId;
    if (this.downloads.has(sid)) return;
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(new Error(`the ${MEDIA_DEADLINE_MS / 60_000}-minute download deadline passed`)), MEDIA_DEADLINE_MS);
    const done = fetchTwilioMedia(sid, items, { twilio: this.twilio.client, media: this.twilio.media, signal: abort.signal })
      .then(({ media, error }) => {
        if (error) log.warn(EV.WHATSAPP_MEDIA_FAILED, { channel: "twilio", messageSid: sid, reason: error });
        this.messages.attachMedia(message.id, media, error);
        log.info(EV.WHATSAPP_MEDIA_SAVED, { channel: "twilio", messageSid: sid, messageId: message.id, files: media.length, failed: items.length - media.length });
      })
      .catch((err) => log.error(EV.WHATSAPP_MEDIA_FAILED, { channel: "twilio", messageSid: sid, reason: "the message could not be updated", err }))
      .finally(() => {
        clearTimeout(deadline);
        this.downloads.delete(sid);
      });
    this.downloads.set(sid, { done, abort });
  }

  /** Resolves when every media download under way has ended (saved or failed). */
  async mediaSettled(): Promise<void> {
    while (this.downloads.size) await Promise.all([...this.downloads.values()].map((d) => d.done));
  }

  /** Ends the downloads under way (the server stops): each message keeps what was saved and says what was not. */
  async stopMedia(): Promise<void> {
    for (const d of this.downloads.values()) d.abort.abort(new Error("the server stopped before it was downloaded"));
    await this.mediaSettled();
  }

  /** A message from Twilio's webhook (its media follows through fetchMedia). */
  receiveTwilio(m: TwilioInbound): { message: MessageRow; created: boolean } {
    const existing = this.messages.byProvider("twilio", m.messageSid);
    if (existing) return { message: existing, created: false };
    const contact = m.phone
      ? this.contactFor({ phone: m.phone, name: m.profileName })
      : this.identities.resolve({ kind: "twilio_user", value: m.userId! }, { source: "whatsapp", name: m.profileName });
    return this.kept(this.messages.record({
      contactId: contact.id,
      direction: "in",
      channel: "twilio",
      providerId: m.messageSid,
      remote: m.from,
      text: m.text,
      status: "received",
    }));
  }
}
