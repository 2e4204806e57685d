/**
 * Everything the agent says that is not written by a model, in Hebrew and English. The words live in
 * assets/prompts/{he,en}.json (bundled into the binary with the code); placeholders in braces — {business},
 * {name}, {need}, {when} — are filled in on the call. Both files are checked when this module loads: a missing
 * line or placeholder is an error at start, never a silent gap in a call.
 */
import { z } from "zod";
import en from "../../assets/prompts/en.json";
import he from "../../assets/prompts/he.json";
import type { AgentLanguage } from "../config.ts";

export interface Lines {
  greeting(business: string): string;
  apology: string;
  askName: string[];
  askAreaBudget(name: string): string[];
  askCallback: string[];
  confirm(need: string, when: string): string;
  notHeard: string[];
  /** The model acted (saved something) but said nothing. */
  noted: string;
  /** The watchdog's holding line: the answer is late. */
  holding: string;
  /** A reply of which nothing could be played (every sentence failed). */
  notAnswered: string;
  transferring: string;
  noTransfer: string;
  goodbye: string;
  voicemailGreeting(business: string): string;
  voicemailThanks: string;
  sttDown: string;
}

const line = z.string().trim().min(1);
const some = z.array(line).min(1);
/** A line that must carry these placeholders. */
const template = (...names: string[]) => line.refine((s) => names.every((n) => s.includes(`{${n}}`)), `must contain ${names.map((n) => `{${n}}`).join(" and ")}`);

export const promptsSchema = z.object({
  greeting: template("business"),
  greetingNoBusiness: line,
  apology: line,
  askName: some,
  askAreaBudgetNamed: template("name"),
  askAreaBudget: some,
  askCallback: some,
  confirm: template("need", "when"),
  notHeard: some,
  noted: line,
  holding: line,
  notAnswered: line,
  transferring: line,
  noTransfer: line,
  goodbye: line,
  voicemailGreeting: template("business"),
  voicemailBusinessFallback: line,
  voicemailThanks: line,
  sttDown: line,
});
export type Prompts = z.infer<typeof promptsSchema>;

const fill = (s: string, values: Record<string, string>) => s.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);

/** The lines of one language from its prompts file (throws naming the file and the line at fault). */
export function linesFrom(raw: unknown, source: string): Lines {
  const parsed = promptsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${source}: ${issue.path.join(".") || "file"} ${issue.message}`);
  }
  const p = parsed.data;
  return {
    greeting: (business) => (business ? fill(p.greeting, { business }) : p.greetingNoBusiness),
    apology: p.apology,
    askName: p.askName,
    askAreaBudget: (name) => (name ? [fill(p.askAreaBudgetNamed, { name }), ...p.askAreaBudget.slice(1)] : p.askAreaBudget),
    askCallback: p.askCallback,
    confirm: (need, when) => fill(p.confirm, { need, when }),
    notHeard: p.notHeard,
    noted: p.noted,
    holding: p.holding,
    notAnswered: p.notAnswered,
    transferring: p.transferring,
    noTransfer: p.noTransfer,
    goodbye: p.goodbye,
    voicemailGreeting: (business) => fill(p.voicemailGreeting, { business: business || p.voicemailBusinessFallback }),
    voicemailThanks: p.voicemailThanks,
    sttDown: p.sttDown,
  };
}

const LINES: Record<AgentLanguage, Lines> = { "he-IL": linesFrom(he, "assets/prompts/he.json"), "en-US": linesFrom(en, "assets/prompts/en.json") };

export const linesFor = (language: AgentLanguage): Lines => LINES[language] ?? LINES["he-IL"];
