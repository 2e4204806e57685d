/**
 * Copy and share a link: the system share sheet where the browser has one (Web Share API, phones), copying
 * otherwise — the Clipboard API where the page may use it (https, localhost), else a selected text field and the
 * legacy copy command (plain http on a LAN address).
 */
import { useState } from "preact/hooks";
import { t } from "../i18n.ts";
import { buttonClass } from "../ui.tsx";

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // permission refused: fall through to the text-field way
  }
  const field = document.createElement("textarea");
  field.value = text;
  field.setAttribute("readonly", "");
  field.style.position = "fixed";
  field.style.opacity = "0";
  document.body.append(field);
  field.select();
  try {
    return document.execCommand("copy");
  } finally {
    field.remove();
  }
}

export const canShare = () => typeof navigator !== "undefined" && typeof navigator.share === "function";

const BUTTON = buttonClass("secondary", true);

export function ShareLinkButtons(props: { url: string; title: string; compact?: boolean }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    setCopied(await copyText(props.url));
    setTimeout(() => setCopied(false), 2500);
  }
  async function share() {
    try {
      await navigator.share({ title: props.title, text: props.title, url: props.url });
    } catch (err) {
      // the user closed the share sheet: nothing to say; anything else: copy instead
      if (!(err instanceof DOMException && err.name === "AbortError")) await copy();
    }
  }
  return (
    <span class="inline-flex flex-wrap items-center gap-2">
      {canShare() && (
        <button type="button" class={BUTTON} onClick={share}>
          {t("pyShare")}
        </button>
      )}
      <button type="button" class={BUTTON} onClick={copy}>
        {t("pyCopy")}
      </button>
      {!props.compact && (
        <a class={BUTTON} href={props.url} target="_blank" rel="noopener noreferrer">
          {t("pyOpen")}
        </a>
      )}
      <span role="status" class="text-sm text-green-800">
        {copied ? t("pyCopied") : ""}
      </span>
    </span>
  );
}
