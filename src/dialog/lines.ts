/** Everything the agent says that is not written by a model, in Hebrew and English. */
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

const he: Lines = {
  greeting: (b) => (b ? `שלום, הגעתם ל${b}. אני העוזרת הדיגיטלית. במה אפשר לעזור?` : "שלום, אני העוזרת הדיגיטלית. במה אפשר לעזור?"),
  apology: "סליחה, יש לי תקלה קטנה. בואו נמשיך בקצרה.",
  askName: ["תודה. איך קוראים לך?", "ומה השם שלך, בבקשה?"],
  askAreaBudget: (n) => [`נעים מאוד${n ? `, ${n}` : ""}. באיזה אזור מדובר, ומה התקציב בערך?`, "באיזה אזור, ובאיזה תקציב?"],
  askCallback: ["מתי נוח שנחזור אליך?", "באיזו שעה נוח לך שנתקשר?"],
  confirm: (need, when) => `מצוין. רשמתי: ${need}. נחזור אליך ${when}. תודה ויום נעים!`,
  notHeard: ["סליחה, לא שמעתי. אפשר לחזור על זה?", "לא הצלחתי לשמוע, אפשר שוב?"],
  noted: "הבנתי, תודה.",
  holding: "רק רגע, אני בודקת.",
  notAnswered: "סליחה, לא הצלחתי לענות על זה. אפשר לומר שוב?",
  transferring: "אני מעבירה אותך לנציג, רגע אחד.",
  noTransfer: "כרגע אין נציג זמין, אבל אני ארשום את הפרטים ונחזור אליך.",
  goodbye: "תודה שהתקשרת, יום נעים!",
  voicemailGreeting: (b) => `שלום, הגעתם ל${b || "העסק"}. אנא השאירו הודעה אחרי הצפצוף, ונחזור אליכם.`,
  voicemailThanks: "תודה, ההודעה נשמרה. להתראות!",
  sttDown: "סליחה, יש לנו תקלה בשמיעה. אנא השאירו הודעה אחרי הצפצוף ונחזור אליכם.",
};

const en: Lines = {
  greeting: (b) => (b ? `Hello, you've reached ${b}. I'm the virtual assistant. How can I help?` : "Hello, I'm the virtual assistant. How can I help?"),
  apology: "Sorry, I'm having a small technical problem. Let's keep this short.",
  askName: ["Thank you. What's your name?", "And your name, please?"],
  askAreaBudget: (n) => [`Nice to meet you${n ? `, ${n}` : ""}. Which area is it in, and roughly what budget?`, "Which area, and what budget?"],
  askCallback: ["When is a good time to call you back?", "What time suits you for a call back?"],
  confirm: (need, when) => `Great. I've noted: ${need}. We'll call you back ${when}. Thank you, have a nice day!`,
  notHeard: ["Sorry, I didn't catch that. Could you say it again?", "I couldn't hear that, once more please?"],
  noted: "Got it, thank you.",
  holding: "One moment, please.",
  notAnswered: "Sorry, I couldn't answer that just now. Could you say it again?",
  transferring: "I'm transferring you to a person, one moment.",
  noTransfer: "Nobody is available right now, but I'll take your details and we'll call you back.",
  goodbye: "Thank you for calling, have a nice day!",
  voicemailGreeting: (b) => `Hello, you've reached ${b || "us"}. Please leave a message after the beep and we'll call you back.`,
  voicemailThanks: "Thank you, your message is saved. Goodbye!",
  sttDown: "Sorry, we're having trouble hearing you. Please leave a message after the beep and we'll call you back.",
};

export const linesFor = (language: AgentLanguage): Lines => (language === "en-US" ? en : he);
