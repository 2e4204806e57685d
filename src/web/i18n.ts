/**
 * Hebrew (RTL, default) and English strings; the choice is kept in localStorage and sets <html lang dir>.
 * Strings live by area in src/web/strings/*.ts (each exports `he` and `en: typeof he`); a new area is one import
 * and one spread per language below, and TypeScript checks that both languages have every key.
 */
import { signal } from "@preact/signals";
import * as core from "./strings/core.ts";
import * as inbox from "./strings/inbox.ts";
import * as payments from "./strings/payments.ts";
import * as testCall from "./strings/test-call.ts";
import * as whatsapp from "./strings/whatsapp.ts";

export type Lang = "he" | "en";

const he = { ...core.he, ...testCall.he, ...inbox.he, ...payments.he, ...whatsapp.he };
const en: typeof he = { ...core.en, ...testCall.en, ...inbox.en, ...payments.en, ...whatsapp.en };

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

export const t = (key: Key): string => dict[lang.value][key];
