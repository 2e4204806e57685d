/**
 * Business settings: what the agent says and knows (name, greeting, hours, services, FAQ, language, phrase hints
 * for speech recognition, voice, end-of-utterance silence, transfer number, time zone), what it may do on WhatsApp
 * from a call (the details message, the post-call summary, payment links), and the definitions of the
 * contacts' custom fields. Each is stored as JSON under its own key ("business", "contactFields"); missing fields
 * take defaults. Reads are cached in memory and a save replaces the cache, so the next call uses the new values.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { PAYMENT_CURRENCIES, PAYMENT_PROVIDERS, settings } from "../db/schema.ts";
import { fieldDefinitionsSchema, type FieldDefinition } from "./contact-fields.ts";
import { normalizePhone } from "./phone.ts";
import { isTimeZone } from "./time-zone.ts";

/** An optional setting sent as "" or null means "unset" (the form's empty input), not an invalid value. */
const unsetWhenEmpty = (v: unknown) => (v === "" || v === null ? undefined : v);

/** The most a link from a call may ever ask for, whatever the settings: 999,999.99 (the payments API's own ceiling). */
export const MAX_LINK_AMOUNT = 99_999_999;

/** Payment links the agent may send from a call. Amounts are integers in minor units (agorot, cents). */
export const paymentLinkSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  provider: z.enum(PAYMENT_PROVIDERS).default("paypal"),
  currency: z.enum(PAYMENT_CURRENCIES).default("ILS"),
  /** The most one link may ask for (minor units: 150000 = 1,500.00); unset → up to MAX_LINK_AMOUNT. */
  maxAmount: z.preprocess(unsetWhenEmpty, z.number().int("must be a whole number of minor units (agorot, cents)").positive().max(MAX_LINK_AMOUNT).optional()),
  /** When set, every link from a call is for exactly this; unset → the agent says what it is for. */
  description: z.preprocess(unsetWhenEmpty, z.string().trim().min(1).max(120).optional()),
});
export type PaymentLinkSettings = z.infer<typeof paymentLinkSettingsSchema>;

export const businessSettingsSchema = z.object({
  name: z.string().trim().max(120).default(""),
  /** Spoken first on every call; empty → the built-in greeting of the language. */
  greeting: z.string().trim().max(500).default(""),
  hours: z.string().trim().max(1000).default(""),
  services: z.string().trim().max(4000).default(""),
  faq: z.string().trim().max(8000).default(""),
  language: z.preprocess(unsetWhenEmpty, z.enum(["he-IL", "en-US"]).optional()),
  /** Words the recognizer should expect (product names, neighbourhoods). */
  phraseHints: z.array(z.string().trim().min(1).max(100)).max(500).default([]),
  /** Google voice for the agent; unset → TTS_VOICE. */
  ttsVoice: z.preprocess(
    unsetWhenEmpty,
    z
      .string()
      .regex(/^[a-z]{2,3}-[A-Z]{2}-[\w-]+$/, "must be a Google voice name such as he-IL-Wavenet-A")
      .optional(),
  ),
  /** End-of-utterance silence (ms, 300–600); unset → EOU_SILENCE_MS. */
  eouSilenceMs: z.preprocess(unsetWhenEmpty, z.number().int().min(300).max(600).optional()),
  /** E.164 number callers are transferred to (any written form is normalised); unset → TRANSFER_NUMBER. */
  transferNumber: z.preprocess(
    (v) => {
      const u = unsetWhenEmpty(v);
      return typeof u === "string" ? (normalizePhone(u) ?? u) : u;
    },
    z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number such as +972501234567")
      .optional(),
  ),
  /** IANA time zone of the business (e.g. Asia/Jerusalem): "today" for tasks, callback times, CSV dates. Unset → the server's. */
  timezone: z.preprocess(unsetWhenEmpty, z.string().refine(isTimeZone, "must be an IANA time zone such as Asia/Jerusalem").optional()),
  /** The WhatsApp message of the business's details (address, site, prices) the agent sends when asked; empty → name, hours and services. */
  whatsappDetails: z.string().trim().max(1000).default(""),
  /** After a call, send the caller a short WhatsApp summary of what was noted (off by default). */
  postCallSummary: z.boolean().default(false),
  paymentLinks: paymentLinkSettingsSchema.prefault({}),
});
export type BusinessSettings = z.infer<typeof businessSettingsSchema>;

/** The server's own time zone, used when the business has not set one. */
export const SERVER_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

export class SettingsService {
  private cached?: BusinessSettings;
  private cachedFields?: FieldDefinition[];
  constructor(private db: Db) {}

  business(): BusinessSettings {
    if (this.cached) return this.cached;
    const parsed = businessSettingsSchema.safeParse(this.read("business") ?? {});
    this.cached = parsed.success ? parsed.data : businessSettingsSchema.parse({});
    return this.cached;
  }

  saveBusiness(input: BusinessSettings): BusinessSettings {
    const value = businessSettingsSchema.parse(input);
    this.write("business", value);
    this.cached = value;
    return value;
  }

  /** The business's time zone (IANA name). */
  timezone(): string {
    return this.business().timezone ?? SERVER_TIME_ZONE;
  }

  /** Definitions of the contacts' custom fields, in display order. */
  contactFields(): FieldDefinition[] {
    if (this.cachedFields) return this.cachedFields;
    const parsed = fieldDefinitionsSchema.safeParse(this.read("contactFields") ?? []);
    this.cachedFields = parsed.success ? parsed.data : [];
    return this.cachedFields;
  }

  saveContactFields(input: FieldDefinition[]): FieldDefinition[] {
    const value = fieldDefinitionsSchema.parse(input);
    this.write("contactFields", value);
    this.cachedFields = value;
    return value;
  }

  private read(key: string): unknown {
    return this.db.select().from(settings).where(eq(settings.key, key)).get()?.value;
  }

  private write(key: string, value: unknown): void {
    this.db
      .insert(settings)
      .values({ key, value })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } })
      .run();
  }
}
