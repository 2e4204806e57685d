/**
 * Settings (mounted at /api/settings); anyone signed in reads, owners and admins change:
 *   GET/PUT /business         what the agent knows and says; takes effect on the next call
 *   GET/PUT /contact-fields   the contacts' custom fields `{fields:[{key, label:{he,en}, type, options?, required}]}`
 *   GET     /providers        the providers' state (the same as /readyz, with reasons) and what is configured
 */
import { Hono } from "hono";
import { z } from "zod";
import { fieldDefinitionsSchema } from "../../crm/contact-fields.ts";
import { businessSettingsSchema } from "../../crm/settings.ts";
import { audit } from "../actor.ts";
import { readJson } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { requireRole } from "../middleware/session.ts";

const fieldsBody = z.object({ fields: fieldDefinitionsSchema });

export function settingsRoutes(deps: HttpDeps, onChange: () => void = () => {}) {
  const settings = () => deps.services().settings;
  return new Hono<AppEnv>()
    .get("/business", (c) => c.json(settings().business()))
    .put("/business", requireRole("owner", "admin"), async (c) => {
      const body = await readJson(c, businessSettingsSchema);
      const saved = settings().saveBusiness(body);
      audit(c, deps, "settings.business", undefined, { changed: Object.keys(body) });
      onChange();
      return c.json(saved);
    })
    .get("/contact-fields", (c) => c.json({ fields: settings().contactFields() }))
    .put("/contact-fields", requireRole("owner", "admin"), async (c) => {
      const { fields } = await readJson(c, fieldsBody);
      const saved = settings().saveContactFields(fields);
      audit(c, deps, "settings.contact_fields", undefined, { keys: saved.map((f) => f.key) });
      return c.json({ fields: saved });
    })
    .get("/providers", (c) => c.json({ ...deps.readiness.snapshot(), configured: configured(deps) }));
}

/** Which providers are set up — names and switches only, never a secret. */
function configured({ config }: HttpDeps) {
  const google = config.speechEmulatorHost || config.ttsEmulatorHost ? "emulator" : config.google.kind;
  return {
    google,
    sttLanguage: config.sttLanguage,
    ttsVoice: config.ttsVoice,
    llm: config.llm ? { model: config.llm.model, customBaseUrl: Boolean(config.llm.baseUrl) } : null,
    twilio: { signatureCheck: Boolean(config.twilio.authToken), rest: Boolean(config.twilio.accountSid && config.twilio.authToken), whatsappSender: Boolean(config.twilio.whatsappFrom) },
    whatsapp: { enabled: config.whatsappEnabled },
    payments: { paypal: Boolean(config.paypal), tranzila: Boolean(config.tranzila) },
  };
}
