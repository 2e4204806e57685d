/**
 * Twilio's WhatsApp webhooks: POST /webhook/whatsapp/twilio (an inbound message → the contact and the message kept
 * once per MessageSid → 204 at once; its media is downloaded afterwards and pushed live) and POST /webhook/whatsapp/status (the status callback of a message we
 * sent → 204; statuses only move forward, whatever order they arrive in). With TWILIO_AUTH_TOKEN set, a missing or
 * wrong X-Twilio-Signature (checked against PUBLIC_BASE_URL + path) is refused with 403 and changes nothing.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { OutStatus } from "../../crm/messages.ts";
import { AppError } from "../../errors.ts";
import { EV, log } from "../../log.ts";
import { twilioInboundForm } from "../../whatsapp/twilio-inbound.ts";
import { twilioErrorMessage } from "../../whatsapp/twilio-whatsapp.ts";
import { validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { form, signed } from "./twilio-webhooks.ts";

const statusForm = z.object({
  MessageSid: z.string().min(1, "is required").max(64),
  MessageStatus: z.string().min(1, "is required").max(40),
  ErrorCode: z.string().max(20).optional(),
  ErrorMessage: z.string().max(500).optional(),
});

/** Twilio's message statuses that mean something for a message we sent (queued/sending/accepted change nothing). */
const STATUS: Record<string, OutStatus> = { sent: "sent", delivered: "delivered", read: "read", failed: "failed", undelivered: "failed", canceled: "failed" };

async function signedForm(c: Context<AppEnv>, deps: HttpDeps): Promise<Record<string, string>> {
  const params = await form(c);
  if (!signed(c, deps, params)) {
    log.warn(EV.TWILIO_BAD_SIGNATURE, { path: c.req.path });
    throw new AppError("forbidden", "X-Twilio-Signature is missing or does not match (check PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN)");
  }
  return params;
}

export function whatsappWebhookRoutes(deps: HttpDeps) {
  return new Hono<AppEnv>()
    .post("/twilio", async (c) => {
      const params = await signedForm(c, deps);
      const inbound = validate(twilioInboundForm, params);
      // kept now, answered now; the media follows in the background (Twilio gives up after 15 s)
      deps.services().whatsapp.inbox.receiveTwilioWebhook(inbound, params);
      return c.body(null, 204);
    })
    .post("/status", async (c) => {
      const params = await signedForm(c, deps);
      const s = validate(statusForm, params);
      const status = STATUS[s.MessageStatus.toLowerCase()];
      if (status) {
        const error = status === "failed" ? { errorCode: s.ErrorCode, errorMessage: twilioErrorMessage(s.ErrorCode, s.ErrorMessage) } : {};
        const row = deps.services().messages.updateStatus("twilio", s.MessageSid, status, error);
        log.info(EV.WHATSAPP_STATUS_CALLBACK, { messageSid: s.MessageSid, status: s.MessageStatus, errorCode: s.ErrorCode, applied: Boolean(row) });
      }
      return c.body(null, 204);
    });
}
