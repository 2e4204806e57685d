/**
 * Business settings: what the agent says and knows (name, greeting, hours, services, FAQ, language, phrase hints
 * for speech recognition). Stored as JSON under the key "business"; missing fields take defaults.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { settings } from "../db/schema.ts";

export const businessSettingsSchema = z.object({
  name: z.string().trim().max(120).default(""),
  /** Spoken first on every call; empty → the built-in greeting of the language. */
  greeting: z.string().trim().max(500).default(""),
  hours: z.string().trim().max(1000).default(""),
  services: z.string().trim().max(4000).default(""),
  faq: z.string().trim().max(8000).default(""),
  language: z.enum(["he-IL", "en-US"]).optional(),
  /** Words the recognizer should expect (product names, neighbourhoods). */
  phraseHints: z.array(z.string().trim().min(1).max(100)).max(500).default([]),
  /** Google voice for the agent; unset → TTS_VOICE. */
  ttsVoice: z
    .string()
    .regex(/^[a-z]{2,3}-[A-Z]{2}-[\w-]+$/, "must be a Google voice name such as he-IL-Wavenet-A")
    .optional(),
  /** End-of-utterance silence (ms, 300–600); unset → EOU_SILENCE_MS. */
  eouSilenceMs: z.number().int().min(300).max(600).optional(),
  /** E.164 number callers are transferred to; unset → TRANSFER_NUMBER. */
  transferNumber: z
    .string()
    .regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 number such as +972501234567")
    .optional(),
});
export type BusinessSettings = z.infer<typeof businessSettingsSchema>;

export class SettingsService {
  private cached?: BusinessSettings;
  constructor(private db: Db) {}

  business(): BusinessSettings {
    if (this.cached) return this.cached;
    const row = this.db.select().from(settings).where(eq(settings.key, "business")).get();
    const parsed = businessSettingsSchema.safeParse(row?.value ?? {});
    this.cached = parsed.success ? parsed.data : businessSettingsSchema.parse({});
    return this.cached;
  }

  saveBusiness(input: BusinessSettings): BusinessSettings {
    const value = businessSettingsSchema.parse(input);
    this.db
      .insert(settings)
      .values({ key: "business", value })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: new Date() } })
      .run();
    this.cached = value;
    return value;
  }
}
