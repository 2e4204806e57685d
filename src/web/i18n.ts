/**
 * Hebrew (RTL, default) and English strings; the choice is kept in localStorage and sets <html lang dir>.
 * Strings live by area in src/web/strings/*.ts (each exports `he` and `en: typeof he`); a new area is one import
 * and one spread per language below, and TypeScript checks that both languages have every key.
 * `t("key", { n: 3 })` fills `{n}` placeholders.
 */
import { signal } from "@preact/signals";
import * as calls from "./strings/calls.ts";
import * as contacts from "./strings/contacts.ts";
import * as core from "./strings/core.ts";
import * as inbox from "./strings/inbox.ts";
import * as overview from "./strings/overview.ts";
import * as payments from "./strings/payments.ts";
import * as settings from "./strings/settings.ts";
import * as tasks from "./strings/tasks.ts";
import * as testCall from "./strings/test-call.ts";
import * as whatsapp from "./strings/whatsapp.ts";

export type Lang = "he" | "en";

const he = { ...core.he, ...overview.he, ...calls.he, ...contacts.he, ...tasks.he, ...settings.he, ...testCall.he, ...inbox.he, ...payments.he, ...whatsapp.he };
const en: typeof he = { ...core.en, ...overview.en, ...calls.en, ...contacts.en, ...tasks.en, ...settings.en, ...testCall.en, ...inbox.en, ...payments.en, ...whatsapp.en };

export type Key = keyof typeof he;
const dict: Record<Lang, typeof he> = { he, en };

const stored = typeof localStorage !== "undefined" ? localStorage.getItem("lang") : null;
export const lang = signal<Lang>(stored === "en" ? "en" : "he");

export function applyLang(l: Lang) {
  lang.value = l;
  localStorage.setItem("lang", l);
  document.documentElement.lang = l;
  document.documentElement.dir = l === "he" ? "rtl" : "ltr";
}

export function t(key: Key, vars?: Record<string, string | number>): string {
  const s: string = dict[lang.value][key];
  return vars ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m)) : s;
}

/** Whether `key` is a string key (for values coming from the API, e.g. an outcome or an event name). */
export const hasKey = (key: string): key is Key => Object.hasOwn(he, key);

/** `t` of a dynamic key when there is one, else the raw value (an unknown outcome shows as sent). */
export const tOr = (key: string, fallback: string): string => (hasKey(key) ? t(key) : fallback);

/** The locale for Intl formatting. */
export const locale = (): string => (lang.value === "he" ? "he-IL" : "en-US");
