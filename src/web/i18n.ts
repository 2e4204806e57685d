/** Hebrew (RTL, default) and English strings; the choice is kept in localStorage and sets <html lang dir>. */
import { signal } from "@preact/signals";

export type Lang = "he" | "en";

const he = {
  appName: "AgentLocator",
  login: "כניסה",
  email: "אימייל",
  password: "סיסמה",
  signIn: "התחברות",
  signOut: "יציאה",
  wrongLogin: "אימייל או סיסמה שגויים",
  tooMany: "יותר מדי ניסיונות. נסו שוב בעוד דקה.",
  setupTitle: "יצירת מנהל ראשון",
  setupHint: "הקישור מהשרת תקף ל-30 דקות ולשימוש אחד.",
  name: "שם",
  create: "יצירה",
  overview: "סקירה",
  calls: "שיחות",
  contacts: "אנשי קשר",
  inbox: "הודעות",
  tasks: "משימות",
  payments: "תשלומים",
  settings: "הגדרות",
  testCall: "שיחת בדיקה",
  welcome: "ברוכים הבאים",
  status: "מצב המערכת",
  nothingYet: "עדיין אין נתונים.",
  language: "English",
  error: "שגיאה",
  when: "מתי",
  from: "ממספר",
  duration: "משך",
  outcome: "תוצאה",
  mode: "מצב",
  caller: "מתקשר",
  agent: "סוכן",
  interrupted: "נקטע",
  latency: "זמן תגובה",
  recording: "הקלטה",
  transcript: "תמליל",
  back: "חזרה",
  noCalls: "עדיין אין שיחות. הפנו את מספר הטוויליו לכתובת ‎/webhook/incoming_call.",
  previous: "הקודם",
  next: "הבא",
  seconds: "שנ׳",
};
const en: typeof he = {
  appName: "AgentLocator",
  login: "Sign in",
  email: "Email",
  password: "Password",
  signIn: "Sign in",
  signOut: "Sign out",
  wrongLogin: "Wrong email or password",
  tooMany: "Too many attempts. Try again in a minute.",
  setupTitle: "Create the first admin",
  setupHint: "The link from the server is valid for 30 minutes and one use.",
  name: "Name",
  create: "Create",
  overview: "Overview",
  calls: "Calls",
  contacts: "Contacts",
  inbox: "Inbox",
  tasks: "Tasks",
  payments: "Payments",
  settings: "Settings",
  testCall: "Test call",
  welcome: "Welcome",
  status: "System status",
  nothingYet: "Nothing here yet.",
  language: "עברית",
  error: "Error",
  when: "When",
  from: "From",
  duration: "Duration",
  outcome: "Outcome",
  mode: "Mode",
  caller: "Caller",
  agent: "Agent",
  interrupted: "interrupted",
  latency: "reply time",
  recording: "Recording",
  transcript: "Transcript",
  back: "Back",
  noCalls: "No calls yet. Point your Twilio number at /webhook/incoming_call.",
  previous: "Previous",
  next: "Next",
  seconds: "s",
};
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
