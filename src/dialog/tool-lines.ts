/**
 * What the scripted dialog says about the WhatsApp it sends (the model writes its own words), in Hebrew and
 * English. Kept apart from lines.ts: these lines exist only when the call has a WhatsApp send path.
 */
import type { AgentLanguage } from "../config.ts";

export interface ToolLines {
  /** The business's details reached the caller's WhatsApp. */
  detailsSent: string;
  /** They were handed over but not confirmed in time. */
  detailsPending: string;
  detailsNotSent: string;
  /** After the details, when no question of the script is pending. */
  anythingElse: string;
}

const he: ToolLines = {
  detailsSent: "שלחתי לך את הפרטים שלנו בוואטסאפ.",
  detailsPending: "אני שולחת לך את הפרטים בוואטסאפ, הם אמורים להגיע בקרוב.",
  detailsNotSent: "לא הצלחתי לשלוח לך הודעת וואטסאפ כרגע.",
  anythingElse: "במה עוד אפשר לעזור?",
};

const en: ToolLines = {
  detailsSent: "I've sent our details to your WhatsApp.",
  detailsPending: "I'm sending our details to your WhatsApp; they should arrive shortly.",
  detailsNotSent: "I couldn't send a WhatsApp message to your number just now.",
  anythingElse: "What else can I help you with?",
};

export const toolLinesFor = (language: AgentLanguage): ToolLines => (language === "en-US" ? en : he);
