/** The frame of the signed-out pages (sign-in, first-run setup, set password): logo, language switch, one card. */
import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { LangSwitch } from "../components/lang-switch.tsx";
import { Logo } from "../components/logo.tsx";
import { Card } from "../ui.tsx";

export function AuthLayout(props: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${props.title} · AgentLocator`;
  }, [props.title]);
  return (
    <div class="flex min-h-dvh flex-col items-center px-4 py-6">
      <header class="flex w-full max-w-sm items-center justify-between">
        <Logo withName />
        <LangSwitch />
      </header>
      <main id="main" class="mt-12 w-full max-w-sm">
        <h1 class="mb-4 text-2xl font-bold text-slate-900">{props.title}</h1>
        <Card>{props.children}</Card>
      </main>
    </div>
  );
}
