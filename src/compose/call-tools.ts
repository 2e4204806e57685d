/**
 * The dialog's ToolHost for one call, over the CRM, WhatsApp and payments — and what the call noted, for its
 * post-call summary. Everything the tools send goes through `services.whatsapp.sender.send` (Baileys when linked,
 * else Twilio, with its pacing and errors) to the caller's own number, or nowhere: the number is the one Twilio gave
 * for the call, never an argument of the model. Every send answers an outcome the model can say (never a throw),
 * within TOOL_WAIT_MS; what is still under way then finishes in the background and is recorded where it belongs.
 */
import { sleep, type Clock } from "../clock.ts";
import type { AgentLanguage } from "../config.ts";
import { normalizePhone } from "../crm/phone.ts";
import { MAX_LINK_AMOUNT, type BusinessSettings } from "../crm/settings.ts";
import type { LinkOutcome, NotSent, SendOutcome, ToolHost } from "../dialog/tool-host.ts";
import { AppError } from "../errors.ts";
import type { Services } from "../http/env.ts";
import { EV, type Logger } from "../log.ts";
import { detailsMessage, paymentMessage, type CallSummary } from "./whatsapp-texts.ts";

/** WhatsApp messages the tools may send on one call (details and links together): a caller cannot make the business spam. */
export const MAX_SENDS_PER_CALL = 3;
/**
 * How long a tool waits for WhatsApp (and the payment provider) before telling the model "not confirmed yet" (ms).
 * The caller hears a holding line 7 s after they finished and the turn is given up 3 s later: the model needs
 * the rest for its answer.
 */
export const TOOL_WAIT_MS = 5000;

/**
 * Numbers Twilio puts in `From` when the caller hid theirs (anonymous, restricted, blocked, unavailable, unknown):
 * valid-looking E.164, but nobody's.
 */
const HIDDEN_CALLER_IDS = new Set(["+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253"]);

/** The caller's own number in E.164, or undefined when the caller ID is hidden or not a number. */
export function callerPhone(raw: string | null | undefined): string | undefined {
  if (!raw || /^(anonymous|restricted|private|unknown|unavailable|blocked)$/i.test(raw.trim())) return undefined;
  const phone = normalizePhone(raw);
  return phone && !HIDDEN_CALLER_IDS.has(phone) ? phone : undefined;
}

/** A send's failure → why, for the model. */
export function notSentOf(err: unknown): { why: NotSent; detail: string } {
  const detail = err instanceof Error ? err.message : String(err);
  if (!(err instanceof AppError)) return { why: "failed", detail };
  if (/\b63016\b/.test(err.message)) return { why: "window", detail };
  if (err.code === "validation" && (err.field === "to" || err.field === "contactId")) return { why: "not_on_whatsapp", detail };
  if (err.code === "rate_limited") return { why: "busy", detail };
  if (err.code === "unavailable" || err.code === "not_configured") return { why: "no_channel", detail };
  return { why: "failed", detail };
}

export interface CallToolsDeps {
  callSid: string;
  /** The caller's number as the call started (the stream's `from`), when the CRM has none. */
  from?: string;
  /** The business settings the call started with. */
  settings: BusinessSettings;
  language: AgentLanguage;
  /** The database-backed services (throws while the database is unavailable). */
  services: () => Services;
  canTransfer: boolean;
  clock: Clock;
  log: Logger;
}

export class CallTools {
  /** What this call noted, for the post-call summary. */
  readonly summary: CallSummary = { callbacks: [], links: [], voicemail: false };
  private attempts = 0;
  /** Messages already sent on this call (text → message id): the same one is not sent twice. */
  private sentTexts = new Map<string, number>();
  /** Links already sent on this call (amount|description → outcome). */
  private sentLinks = new Map<string, Extract<LinkOutcome, { sent: true }>>();
  readonly host: ToolHost;

  constructor(private d: CallToolsDeps) {
    const links = d.settings.paymentLinks;
    this.host = {
      canTransfer: d.canTransfer,
      saveLead: (lead) => this.saveLead(lead),
      scheduleCallback: (input) => this.scheduleCallback(input),
      sendWhatsapp: (text) => this.sendWhatsapp(text),
      businessDetails: detailsMessage(d.settings, d.language),
      ...(links.enabled
        ? {
            // no maximum set: still never more than any link from a call may ask for
            paymentLinks: { currency: links.currency, maxAmount: links.maxAmount ?? MAX_LINK_AMOUNT, description: links.description },
            sendPaymentLink: (input: { amount: number; description: string }) => this.sendPaymentLink(input),
          }
        : {}),
    };
  }

  /** The caller's own number: the one Twilio gave for this call (the CRM's record of it, else the stream's). */
  phone(): string | undefined {
    let recorded: string | null | undefined;
    try {
      recorded = this.d.services().calls.bySid(this.d.callSid)?.fromNumber;
    } catch {
      // the database is away: the stream's own parameter still names the caller
    }
    return callerPhone(recorded ?? this.d.from);
  }

  private saveLead(lead: Parameters<ToolHost["saveLead"]>[0]) {
    const s = this.d.services();
    s.contacts.saveLead(s.calls.contactIdOf(this.d.callSid), lead);
    s.calls.setOutcome(this.d.callSid, "lead_saved");
    if (lead.need?.trim()) this.summary.need = lead.need.trim();
    if (lead.name?.trim()) this.summary.name = lead.name.trim();
    this.d.log.info(EV.LEAD_SAVED, { callSid: this.d.callSid, fields: Object.keys(lead).filter((k) => lead[k as keyof typeof lead]) });
  }

  private scheduleCallback({ when, notes }: { when: string; notes?: string }) {
    const s = this.d.services();
    const contactId = s.calls.contactIdOf(this.d.callSid);
    const contact = s.contacts.byId(contactId);
    s.tasks.scheduleCallback({ contactId, callId: s.calls.bySid(this.d.callSid)?.id, dueText: when, notes, title: `Call back ${contact?.name ?? contact?.phone ?? ""}`.trim() });
    s.calls.setOutcome(this.d.callSid, "callback_scheduled");
    this.summary.callbacks.push(when);
    this.d.log.info(EV.TASK_CALLBACK_SCHEDULED, { callSid: this.d.callSid, when });
  }

  private async sendWhatsapp(text: string): Promise<SendOutcome> {
    const outcome = await this.whatsapp(text);
    this.record(EV.CALL_WHATSAPP, outcome.sent ? { sent: true, messageId: outcome.messageId, ...(outcome.again ? { again: true } : {}) } : { sent: false, why: outcome.why, detail: outcome.detail });
    return outcome;
  }

  private async whatsapp(text: string): Promise<SendOutcome> {
    const phone = this.phone();
    if (!phone) return { sent: false, why: "no_number" };
    const again = this.sentTexts.get(text);
    if (again !== undefined) return { sent: true, messageId: again, again: true };
    if (this.attempts >= MAX_SENDS_PER_CALL) return { sent: false, why: "limit" };
    let s: Services;
    try {
      s = this.d.services();
    } catch (err) {
      return { sent: false, why: "failed", detail: err instanceof Error ? err.message : String(err) };
    }
    this.attempts++;
    const sending = s.whatsapp.sender.send({ to: phone, text }).then(
      (m): SendOutcome => {
        this.sentTexts.set(text, m.id);
        return { sent: true, messageId: m.id };
      },
      (err): SendOutcome => ({ sent: false, ...notSentOf(err) }),
    );
    return this.within(sending, { sent: false, why: "pending" });
  }

  private async sendPaymentLink(input: { amount: number; description: string }): Promise<LinkOutcome> {
    const outcome = await this.paymentLink(input);
    const p = this.d.settings.paymentLinks;
    this.record(EV.CALL_PAYMENT_LINK, { amount: input.amount, currency: p.currency, provider: p.provider, ...(outcome.sent ? { sent: true, paymentId: outcome.paymentId } : { sent: false, why: outcome.why, created: outcome.created, detail: outcome.detail }) });
    return outcome;
  }

  private async paymentLink({ amount, description }: { amount: number; description: string }): Promise<LinkOutcome> {
    const p = this.d.settings.paymentLinks;
    const key = `${amount}|${description}`;
    const earlier = this.sentLinks.get(key);
    if (earlier) return earlier;
    // everything that can be known before asking the provider is checked first: no link is made for nobody
    const phone = this.phone();
    if (!phone) return { sent: false, why: "no_number", created: false };
    let s: Services;
    try {
      s = this.d.services();
    } catch (err) {
      return { sent: false, why: "failed", created: false, detail: err instanceof Error ? err.message : String(err) };
    }
    if (!s.payments.configured(p.provider)) return { sent: false, why: "not_configured", created: false, detail: `${p.provider} is not configured` };
    try {
      s.whatsapp.sender.channel(false);
    } catch (err) {
      return { sent: false, why: "no_channel", created: false, detail: err instanceof Error ? err.message : String(err) };
    }
    if (this.attempts >= MAX_SENDS_PER_CALL) return { sent: false, why: "limit", created: false };
    this.attempts++;
    const contactId = s.calls.contactIdOf(this.d.callSid);
    const work = (async (): Promise<LinkOutcome> => {
      let link;
      try {
        link = await s.payments.createLink({ contactId, amount, currency: p.currency, description, provider: p.provider });
      } catch (err) {
        // the service has marked its row failed (no link): nothing exists that anyone could pay
        const detail = err instanceof Error ? err.message : String(err);
        return { sent: false, why: err instanceof AppError && err.code === "not_configured" ? "not_configured" : "provider_failed", created: false, detail };
      }
      const sent = { url: link.url!, amount, currency: p.currency, description };
      try {
        const m = await s.whatsapp.sender.send({ to: phone, text: paymentMessage(this.d.language, this.d.settings.name, sent) });
        s.payments.linkSent(link.id, { channel: m.channel, messageId: m.id });
        this.summary.links.push(sent);
        const ok = { sent: true as const, paymentId: link.id, amount, currency: p.currency };
        this.sentLinks.set(key, ok);
        return ok;
      } catch (err) {
        const n = notSentOf(err);
        s.payments.linkNotSent(link.id, n.detail);
        return { sent: false, why: n.why, created: true, detail: n.detail };
      }
    })();
    return this.within(work, { sent: false, why: "pending", created: true });
  }

  /** `work`'s outcome if it settles within TOOL_WAIT_MS, else `late` (the work goes on and records itself). */
  private async within<T>(work: Promise<T>, late: T): Promise<T> {
    const stop = new AbortController();
    const timeout = sleep(this.d.clock, TOOL_WAIT_MS, stop.signal).then(
      () => late,
      () => late,
    );
    try {
      return await Promise.race([work, timeout]);
    } finally {
      stop.abort();
    }
  }

  /** An outcome kept on the call (its events) and in the log. */
  private record(event: string, data: Record<string, unknown>) {
    this.d.log.info(event, { callSid: this.d.callSid, ...data });
    try {
      this.d.services().calls.event(this.d.callSid, event, undefined, data);
    } catch (err) {
      this.d.log.error(EV.CRM_WRITE_FAILED, { callSid: this.d.callSid, what: event, err });
    }
  }
}
