/**
 * The WhatsApp messages the agent's side writes itself (no model involved), in Hebrew and English: the business's
 * details, a payment link, and the post-call summary. Templates, so what goes out in the business's name is exactly
 * what was noted on the call — never a model's guess — and the same with or without a model.
 */
import type { AgentLanguage } from "../config.ts";
import type { BusinessSettings } from "../crm/settings.ts";
import type { Currency } from "../dialog/tool-host.ts";
import { MAX_WHATSAPP_TEXT } from "../dialog/whatsapp-tool.ts";
import { toDecimal } from "../payments/money.ts";

export interface SummaryLink {
  url: string;
  amount: number;
  currency: Currency;
  description: string;
}

/** What was noted on one call, for its summary. */
export interface CallSummary {
  name?: string;
  need?: string;
  /** When the caller asked to be called back, as they said it. */
  callbacks: string[];
  /** Payment links that reached the caller's WhatsApp during the call. */
  links: SummaryLink[];
  /** A voicemail in which the caller spoke. */
  voicemail: boolean;
}

const SIGN: Record<Currency, string> = { ILS: "₪", USD: "$" };
export const formatMoney = (minor: number, currency: Currency) => `${SIGN[currency]}${toDecimal(minor, currency)}`;

interface Texts {
  hours: string;
  services: string;
  link(business: string, l: SummaryLink): string;
  thanks(business: string, name?: string): string;
  voicemail: string;
  need: string;
  callback: string;
  payment(l: SummaryLink): string;
}

const he: Texts = {
  hours: "שעות פעילות",
  services: "שירותים",
  link: (b, l) => `${b ? `${b}: ` : ""}קישור לתשלום עבור ${l.description} (${formatMoney(l.amount, l.currency)}):\n${l.url}`,
  thanks: (b, n) => `תודה שהתקשרת${b ? ` ל${b}` : " אלינו"}${n ? `, ${n}` : ""}!`,
  voicemail: "קיבלנו את ההודעה שהשארת ונחזור אליך בהקדם.",
  need: "רשמנו",
  callback: "נחזור אליך",
  payment: (l) => `קישור לתשלום (${formatMoney(l.amount, l.currency)}, ${l.description}): ${l.url}`,
};

const en: Texts = {
  hours: "Hours",
  services: "Services",
  link: (b, l) => `${b ? `${b}: ` : ""}payment link for ${l.description} (${formatMoney(l.amount, l.currency)}):\n${l.url}`,
  thanks: (b, n) => `Thank you for calling${b ? ` ${b}` : ""}${n ? `, ${n}` : ""}!`,
  voicemail: "We got your voicemail and will get back to you soon.",
  need: "What we noted",
  callback: "We'll call you back",
  payment: (l) => `Payment link (${formatMoney(l.amount, l.currency)}, ${l.description}): ${l.url}`,
};

const textsFor = (language: AgentLanguage): Texts => (language === "en-US" ? en : he);

const clip = (text: string, max = MAX_WHATSAPP_TEXT) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);

/** The business's details message: its own text, else its name, hours and services; none when there is nothing to send. */
export function detailsMessage(b: BusinessSettings, language: AgentLanguage): string | undefined {
  if (b.whatsappDetails) return clip(b.whatsappDetails);
  if (!b.hours && !b.services) return undefined;
  const t = textsFor(language);
  return clip([b.name, b.hours && `${t.hours}: ${b.hours}`, b.services && `${t.services}: ${b.services}`].filter(Boolean).join("\n"));
}

export const paymentMessage = (language: AgentLanguage, business: string, link: SummaryLink) => textsFor(language).link(business, link);

/** The post-call summary, or undefined when nothing was noted (a caller who said nothing gets no message). */
export function summaryMessage(language: AgentLanguage, business: string, s: CallSummary): string | undefined {
  const when = s.callbacks.at(-1);
  if (!s.need && !when && !s.links.length && !s.voicemail) return undefined;
  const t = textsFor(language);
  const lines = [t.thanks(business, s.name)];
  if (s.voicemail && !s.need) lines.push(t.voicemail);
  if (s.need) lines.push(`${t.need}: ${s.need}`);
  if (when) lines.push(`${t.callback}: ${when}`);
  for (const l of s.links) lines.push(t.payment(l));
  return clip(lines.join("\n"), 1500);
}
