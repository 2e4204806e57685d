/**
 * Which JID a message to a phone number goes to: WhatsApp is asked (onWhatsApp) whether the number has an account,
 * and its answer — the JID, possibly the person's LID, or "not on WhatsApp" — is trusted for an hour.
 */
import type { WASocket } from "@whiskeysockets/baileys";
import { WorkerError } from "./worker-error.ts";

/** How long an onWhatsApp answer is trusted (ms). */
const LOOKUP_TTL_MS = 3600_000;
/** Answers kept at most; past this the cache starts over. */
const MAX_LOOKUPS = 5000;

export class RecipientLookup {
  private lookups = new Map<string, { jid?: string; at: number }>();

  /** The JID to send to: a phone JID is checked with WhatsApp (and may come back as the person's LID). */
  async resolve(sock: WASocket, to: string): Promise<string> {
    if (!to.endsWith("@s.whatsapp.net")) return to;
    const hit = this.lookups.get(to);
    if (hit && Date.now() - hit.at < LOOKUP_TTL_MS) {
      if (!hit.jid) throw new WorkerError("not_on_whatsapp", `${to.split("@")[0]} is not on WhatsApp`);
      return hit.jid;
    }
    const [result] = (await sock.onWhatsApp(to)) ?? [];
    if (this.lookups.size > MAX_LOOKUPS) this.lookups.clear();
    this.lookups.set(to, { jid: result?.exists ? result.jid : undefined, at: Date.now() });
    if (!result?.exists) throw new WorkerError("not_on_whatsapp", `${to.split("@")[0]} is not on WhatsApp`);
    return result.jid;
  }

  /** Forgets every answer (the session was wiped). */
  clear(): void {
    this.lookups.clear();
  }
}
