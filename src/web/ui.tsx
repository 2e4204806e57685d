/** Small shared UI pieces (Tailwind classes in one place). */
import type { ComponentChildren } from "preact";

export function Field(props: { label: string; type?: "text" | "email" | "password"; name: string; value: string; autocomplete?: string; onInput: (v: string) => void }) {
  return (
    <label class="block mb-4">
      <span class="block text-sm font-medium mb-1">{props.label}</span>
      <input
        class="w-full rounded-md border border-slate-300 px-3 py-2 focus:outline-none focus:ring-2 focus:ring-indigo-500"
        // preact 11 types each input type separately; a union needs this widening
        type={(props.type ?? "text") as "text"}
        name={props.name}
        autocomplete={props.autocomplete}
        value={props.value}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
        required
      />
    </label>
  );
}

export function Button(props: { children: ComponentChildren; type?: "submit" | "button"; onClick?: () => void }) {
  return (
    <button
      type={props.type ?? "button"}
      onClick={props.onClick}
      class="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
    >
      {props.children}
    </button>
  );
}

export function Card(props: { title?: string; children: ComponentChildren }) {
  return (
    <section class="rounded-lg bg-white p-6 shadow-sm ring-1 ring-slate-200">
      {props.title && <h2 class="mb-4 text-lg font-semibold">{props.title}</h2>}
      {props.children}
    </section>
  );
}

export function ErrorLine(props: { message?: string }) {
  return props.message ? (
    <p role="alert" class="mb-4 rounded bg-red-50 px-3 py-2 text-sm text-red-700">
      {props.message}
    </p>
  ) : null;
}
