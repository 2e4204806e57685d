/**
 * /api/whatsapp: the linked phone's state (GET /status, with the QR while pairing), pairing by code
 * (POST /pair {phone} → {code}), unlinking (POST /logout), connecting now (POST /connect), and sending
 * (POST /send {to | contactId, text | contentSid, contentVariables?} → 201 the message).
 * Linking and unlinking the business's phone is for owners and admins; an agent sends only to their own contacts.
 * Each of these writes leaves an audit row (who, from where): whatsapp.pair, whatsapp.logout (it wipes the
 * session), whatsapp.connect, whatsapp.send.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { normalizePhone } from "../../crm/phone.ts";
import { messageView } from "../../crm/messages.ts";
import { AppError } from "../../errors.ts";
import { audit } from "../actor.ts";
import { readJson } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { requireRole } from "../middleware/session.ts";

const pairBody = z.object({ phone: z.string().min(1, "is required").max(40) });
const sendBody = z
  .object({
    to: z.string().min(1).max(40).optional(),
    contactId: z.number().int().positive().optional(),
    text: z.string().max(65_536).optional(),
    contentSid: z.string().regex(/^HX[0-9a-fA-F]{32}$/, "must be a Twilio Content SID (HX…)").optional(),
    contentVariables: z.record(z.string().max(20), z.string().max(1000)).optional(),
  })
  .refine((b) => b.to !== undefined || b.contactId !== undefined, { message: "is required (or contactId)", path: ["to"] })
  .refine((b) => b.text?.trim() || b.contentSid, { message: "is required (or contentSid)", path: ["text"] });

/** An agent may message only contacts assigned to them; anyone else sees 404, as if the contact did not exist. */
function checkAgentScope(c: Context<AppEnv>, deps: HttpDeps, body: z.infer<typeof sendBody>) {
  const user = c.get("user");
  if (user.role !== "agent") return;
  const contacts = deps.services().contacts;
  const contact = body.contactId !== undefined ? contacts.byId(body.contactId) : contacts.byPhone(body.to!);
  if (!contact || contact.ownerId !== user.id) throw new AppError("not_found", "no such contact among yours", body.contactId !== undefined ? "contactId" : "to");
}

export function whatsappRoutes(deps: HttpDeps) {
  const admin = requireRole("owner", "admin");
  return new Hono<AppEnv>()
    .get("/status", (c) => {
      const twilio = deps.config.twilio;
      const status = deps.whatsapp.status();
      // the QR and the pairing code link a phone to the business: owners and admins only
      if (c.get("user").role === "agent") for (const k of ["qr", "qrSvg", "pairingCode"] as const) delete status[k];
      return c.json({ ...status, channels: { baileys: deps.config.whatsappEnabled, twilio: Boolean(twilio.accountSid && twilio.authToken && twilio.whatsappFrom) } });
    })
    .post("/pair", admin, async (c) => {
      const { phone } = await readJson(c, pairBody);
      const e164 = normalizePhone(phone);
      if (!e164) throw new AppError("validation", "phone: is not a phone number (use the international form, e.g. +972501234567)", "phone");
      const code = await deps.whatsapp.pair(e164);
      audit(c, deps, "whatsapp.pair", undefined, { phone: e164 });
      return c.json({ code });
    })
    .post("/logout", admin, async (c) => {
      await deps.whatsapp.logout();
      audit(c, deps, "whatsapp.logout");
      return c.json(deps.whatsapp.status());
    })
    .post("/connect", admin, async (c) => {
      await deps.whatsapp.connect();
      audit(c, deps, "whatsapp.connect");
      return c.json(deps.whatsapp.status(), 202);
    })
    .post("/send", async (c) => {
      const body = await readJson(c, sendBody);
      checkAgentScope(c, deps, body);
      const message = await deps.services().whatsapp.sender.send({ ...body, sentById: c.get("user").id });
      audit(c, deps, "whatsapp.send", message.id, { contactId: message.contactId, channel: message.channel, template: body.contentSid !== undefined });
      return c.json({ message: messageView(message) }, 201);
    });
}
