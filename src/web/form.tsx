/** Labelled form controls: every input has a <label>, a hint and an error tied to it (aria-describedby/invalid). */
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

const INPUT =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm placeholder:text-slate-500 focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-600/30 disabled:bg-slate-100 aria-[invalid=true]:border-red-600";

interface Common {
  label: string;
  name?: string;
  hint?: string;
  error?: string;
  required?: boolean;
  disabled?: boolean;
  class?: string;
  /** Visually hidden label (still read by screen readers). */
  hideLabel?: boolean;
}

function Wrap(props: Common & { id: string; children: ComponentChildren }) {
  return (
    <div class={`mb-3 ${props.class ?? ""}`}>
      <label for={props.id} class={props.hideLabel ? "sr-only" : "mb-1 block text-sm font-medium text-slate-800"}>
        {props.label}
        {props.required && !props.hideLabel && <span aria-hidden="true"> *</span>}
      </label>
      {props.children}
      {props.hint && (
        <p id={`${props.id}-hint`} class="mt-1 text-xs text-slate-600">
          {props.hint}
        </p>
      )}
      {props.error && (
        <p id={`${props.id}-error`} class="mt-1 text-sm text-red-700">
          {props.error}
        </p>
      )}
    </div>
  );
}

const described = (id: string, p: Common) => [p.hint && `${id}-hint`, p.error && `${id}-error`].filter(Boolean).join(" ") || undefined;

export function Field(
  props: Common & {
    type?: "text" | "email" | "password" | "tel" | "search" | "number" | "date" | "datetime-local" | "url";
    value: string;
    onInput: (v: string) => void;
    autocomplete?: string;
    placeholder?: string;
    dir?: "ltr" | "rtl" | "auto";
    min?: number;
    max?: number;
    step?: number;
    inputMode?: "numeric" | "tel" | "email" | "search" | "text";
  },
) {
  const id = useId();
  // phone numbers, emails and URLs read left to right in Hebrew too
  const dir = props.dir ?? (props.type === "tel" || props.type === "email" || props.type === "url" ? "ltr" : undefined);
  return (
    <Wrap {...props} id={id}>
      <input
        id={id}
        class={`${INPUT} ${dir === "ltr" ? "rtl:text-right" : ""}`}
        // preact 11 types each input type separately; a union needs this widening
        type={(props.type ?? "text") as "text"}
        name={props.name}
        dir={dir}
        autocomplete={props.autocomplete}
        placeholder={props.placeholder}
        inputMode={props.inputMode}
        value={props.value}
        min={props.min}
        max={props.max}
        step={props.step}
        required={props.required}
        disabled={props.disabled}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described(id, props)}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
    </Wrap>
  );
}

export function TextArea(props: Common & { value: string; onInput: (v: string) => void; rows?: number; dir?: "ltr" | "auto" }) {
  const id = useId();
  return (
    <Wrap {...props} id={id}>
      <textarea
        id={id}
        class={INPUT}
        name={props.name}
        rows={props.rows ?? 3}
        dir={props.dir}
        value={props.value}
        required={props.required}
        disabled={props.disabled}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described(id, props)}
        onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
      />
    </Wrap>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function Select(props: Common & { value: string; options: Option[]; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <Wrap {...props} id={id}>
      <select
        id={id}
        class={`${INPUT} pe-8`}
        name={props.name}
        value={props.value}
        required={props.required}
        disabled={props.disabled}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described(id, props)}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Wrap>
  );
}

export function Checkbox(props: { label: string; checked: boolean; onChange: (v: boolean) => void; name?: string; disabled?: boolean; class?: string }) {
  return (
    <label class={`inline-flex cursor-pointer items-center gap-2 text-sm text-slate-800 ${props.class ?? ""}`}>
      <input
        type="checkbox"
        class="h-4 w-4 rounded border-slate-400 text-indigo-600 accent-indigo-600 focus-visible:outline-2 focus-visible:outline-indigo-600"
        name={props.name}
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)}
      />
      {props.label}
    </label>
  );
}

/** Maps an API error naming a field (`{field:"phone"}`) to that field's message. */
export function fieldError(err: { field?: string; message: string } | undefined, field: string): string | undefined {
  return err?.field === field ? err.message.replace(new RegExp(`^${field.replace(/[.]/g, "\\.")}: `), "") : undefined;
}
