/**
 * The built-in lead-capture dialog used when no LLM is configured (or after the LLM fails): asks what the caller
 * needs → their name → area and budget → when to call back, confirms, says goodbye and saves the lead.
 * Asking for a person transfers the call when TRANSFER_NUMBER is set.
 */
import type { Lines } from "./lines.ts";
import type { CallAction, LeadInput, ToolHost } from "./tools.ts";

export type Step = "need" | "name" | "areaBudget" | "callback" | "done";

export interface ScriptReply {
  sentences: string[];
  action?: CallAction;
}

const HUMAN = /(נציג|בן אדם|אדם אמיתי|מישהו אמיתי|מנהל|representative|human|real person|operator|agent please|speak to someone)/i;
const NAME_PREFIX = /^(my name is|my name's|this is|i am|i'm|it's|קוראים לי|שמי|השם שלי|אני|זה)\s+/i;
const BUDGET = /((?:(?:about|around|roughly|approximately|up to|maybe|בערך|בסביבות|עד|כ-?)\s*)?(?:\d[\d,.]*\s*(?:k|K|אלף|מיליון|million|thousand)?\s*(?:₪|שקל(?:ים)?|ש"ח|ש״ח|dollars?|\$|nis|shekels?)?)|(?:₪|\$)\s*\d[\d,.]*)/;

export interface ScriptState {
  step: Step;
  lead: LeadInput;
  retries: number;
}

export class ScriptedDialog {
  step: Step = "need";
  private lead: LeadInput = {};
  private retries = 0;

  constructor(
    private lines: Lines,
    private host: ToolHost,
  ) {}

  /** Where the script is (to go back when its reply was never heard). */
  snapshot(): ScriptState {
    return { step: this.step, lead: { ...this.lead }, retries: this.retries };
  }

  restore(s: ScriptState): void {
    this.step = s.step;
    this.lead = { ...s.lead };
    this.retries = s.retries;
  }

  /** A host call whose failure (already reported by the host's guard) must not stop the dialog. */
  private tell(fn: () => unknown): void {
    try {
      const r = fn();
      if (r instanceof Promise) r.catch(() => {});
    } catch {
      // the lead is lost for now, not the conversation
    }
  }

  respond(text: string): ScriptReply {
    const said = text.trim();
    if (HUMAN.test(said)) {
      if (this.host.canTransfer) return { sentences: [this.lines.transferring], action: "transfer" };
      return { sentences: [this.lines.noTransfer, ...this.question()] };
    }
    if (said.replace(/[\s.,!?]/g, "").length < 2) {
      this.retries++;
      return { sentences: [this.lines.notHeard[this.retries % 2]!] };
    }
    this.retries = 0;
    switch (this.step) {
      case "need":
        this.lead.need = said;
        this.tell(() => this.host.saveLead({ need: said }));
        this.step = "name";
        break;
      case "name":
        this.lead.name = cleanName(said);
        this.tell(() => this.host.saveLead({ name: this.lead.name }));
        this.step = "areaBudget";
        break;
      case "areaBudget": {
        const match = said.match(BUDGET)?.[0]?.trim();
        const budget = match?.replace(/^(about|around|roughly|approximately|up to|maybe|בערך|בסביבות|עד|כ-?)\s*/i, "");
        const area = (match ? said.replace(match, "") : said).replace(/^[\s,.-]+|[\s,.-]+$/g, "").replace(/\s{2,}/g, " ");
        this.lead.area = area || undefined;
        this.lead.budget = budget;
        this.tell(() => this.host.saveLead({ area: this.lead.area, budget }));
        this.step = "callback";
        break;
      }
      case "callback":
        this.tell(() => this.host.scheduleCallback({ when: said, notes: this.lead.need }));
        this.step = "done";
        return { sentences: [this.lines.confirm(this.lead.need ?? "", said)], action: "hangup" };
      case "done":
        return { sentences: [this.lines.goodbye], action: "hangup" };
    }
    return { sentences: this.question() };
  }

  /** The question of the current step (first phrasing). */
  question(): string[] {
    switch (this.step) {
      case "name":
        return [this.lines.askName[0]!];
      case "areaBudget":
        return [this.lines.askAreaBudget(this.lead.name ?? "")[0]!];
      case "callback":
        return [this.lines.askCallback[0]!];
      default:
        return [];
    }
  }
}

function cleanName(said: string): string {
  return said.replace(NAME_PREFIX, "").replace(/[.!?,]+$/g, "").trim().slice(0, 80);
}
