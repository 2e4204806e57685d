/** The language switch: names the other language in that language (marked with its own lang for screen readers). */
import { Languages } from "lucide-preact";
import { applyLang, lang } from "../i18n.ts";

export function LangSwitch(props: { class?: string; dark?: boolean }) {
  const other = lang.value === "he" ? "en" : "he";
  return (
    <button
      type="button"
      onClick={() => applyLang(other)}
      class={`inline-flex items-center gap-1.5 rounded-md px-2.5 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-indigo-500 ${props.dark ? "text-slate-200 hover:bg-slate-800" : "text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50"} ${props.class ?? ""}`}
    >
      <Languages size={16} aria-hidden="true" />
      <span lang={other}>{other === "en" ? "English" : "עברית"}</span>
    </button>
  );
}
