/**
 * The optional post-call summary (business setting `postCallSummary`, off by default): when a call ends, the
 * caller gets a short WhatsApp message of what was noted — their need, the callback time, the payment links sent —
 * through the one send path. A template, not a model: what goes out in the business's name is exactly what the call
 * recorded, in the business's language, with or without a model, at no extra cost or delay.
 *
 * Never for a test call, a caller with no number, or a call where nothing was noted (a voicemail with nothing said,
 * a caller who hung up at the greeting). Once per call, however many times `ended` fires. A failure is logged
 * (`call.summary_failed`) and kept on the call's events, never thrown; a sent one is kept as `call.summary_sent`.
 */
import type { AgentLanguage } from "../config.ts";
import type { BusinessSettings } from "../crm/settings.ts";
import type { Services } from "../http/env.ts";
import { EV, type Logger } from "../log.ts";
import type { CallTools } from "./call-tools.ts";
import { summaryMessage } from "./whatsapp-texts.ts";

interface Pending {
  settings: BusinessSettings;
  language: AgentLanguage;
  tools: CallTools;
}

export class PostCallSummaries {
  /** Calls that will want a summary when they end (registered at their start; claimed once). */
  private pending = new Map<string, Pending>();

  constructor(private d: { services: () => Services | undefined; log: Logger }) {}

  /** A call starting now; its summary is sent at its end if the business wants one. */
  register(callSid: string, p: Pending): void {
    if (p.settings.postCallSummary) this.pending.set(callSid, p);
  }

  /** The call ended: its summary goes out, once. Resolves when it is sent, skipped or failed; never rejects. */
  ended(callSid: string): Promise<void> {
    const p = this.pending.get(callSid);
    if (!p) return Promise.resolve();
    this.pending.delete(callSid);
    return this.send(callSid, p).catch((err) => this.failed(callSid, err));
  }

  private async send(callSid: string, p: Pending): Promise<void> {
    const s = this.d.services();
    if (!s) throw new Error("the database is not available");
    if (s.calls.bySid(callSid)?.isTest) return this.skipped(callSid, "test_call");
    const phone = p.tools.phone();
    if (!phone) return this.skipped(callSid, "no_number");
    const text = summaryMessage(p.language, p.settings.name, p.tools.summary);
    if (!text) return this.skipped(callSid, "nothing_noted");
    const m = await s.whatsapp.sender.send({ to: phone, text });
    this.d.log.info(EV.CALL_SUMMARY_SENT, { callSid, messageId: m.id, channel: m.channel });
    s.calls.event(callSid, EV.CALL_SUMMARY_SENT, undefined, { messageId: m.id, channel: m.channel });
  }

  private skipped(callSid: string, reason: string) {
    this.d.log.info(EV.CALL_SUMMARY_SKIPPED, { callSid, reason });
  }

  private failed(callSid: string, err: unknown) {
    const reason = err instanceof Error ? err.message : String(err);
    const errorCode = /\(Twilio (\d+)\)/.exec(reason)?.[1];
    this.d.log.warn(EV.CALL_SUMMARY_FAILED, { callSid, reason, errorCode });
    try {
      this.d.services()?.calls.event(callSid, EV.CALL_SUMMARY_FAILED, undefined, { reason, ...(errorCode ? { errorCode } : {}) });
    } catch (e) {
      this.d.log.error(EV.CRM_WRITE_FAILED, { callSid, what: EV.CALL_SUMMARY_FAILED, err: e });
    }
  }
}
