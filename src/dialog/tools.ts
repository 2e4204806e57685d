/**
 * The tools the model may call: one entry each (JSON schema for the model, zod check of its arguments — the
 * model's output is untrusted input — and what it does through the ToolHost). Saving and scheduling go through the
 * host (the CRM, injected); ending and transferring the call are returned as actions the call carries out once the
 * agent has finished speaking. A new tool is one entry here plus, when it reaches outside, one ToolHost method.
 */
import { z } from "zod";
import type { ToolSpec } from "../providers/llm.ts";

export interface LeadInput {
  name?: string;
  need?: string;
  area?: string;
  budget?: string;
  notes?: string;
}

/** What tools reach outside the dialog through. A method may return a promise (awaited); a throw is told to the model. */
export interface ToolHost {
  saveLead(lead: LeadInput): unknown;
  scheduleCallback(input: { when: string; notes?: string }): unknown;
  /** Whether this call can be transferred to a person (a number and Twilio credentials). */
  canTransfer: boolean;
}

export type CallAction = "hangup" | "transfer";

export interface ToolResult {
  /** The text the model reads as the tool's answer. */
  result: string;
  action?: CallAction;
}

interface Tool<A> {
  spec: ToolSpec["function"];
  args: z.ZodType<A>;
  /** Offered to the model only when this holds for the call. */
  available?(host: ToolHost): boolean;
  run(host: ToolHost, args: A): ToolResult | Promise<ToolResult>;
}

const str = z.string().trim().max(500).optional();
export const saveLeadArgs = z.object({ name: str, need: str, area: str, budget: str, notes: z.string().trim().max(2000).optional() });
export const scheduleCallbackArgs = z.object({ when: z.string().trim().min(1, "`when` is required").max(200), notes: str });
const noArgs = z.object({}).passthrough();

const tool = <A>(t: Tool<A>): Tool<unknown> => t as Tool<unknown>;

export const TOOLS: ReadonlyArray<Tool<unknown>> = [
  tool({
    spec: {
      name: "save_lead",
      description: "Save what the caller told you about themselves and what they need. Call it as soon as you learn something new.",
      parameters: {
        type: "object",
        properties: {
          name: { type: "string", description: "caller's name" },
          need: { type: "string", description: "what they need, in a few words" },
          area: { type: "string", description: "city or area" },
          budget: { type: "string", description: "budget as they said it" },
          notes: { type: "string", description: "anything else worth keeping" },
        },
      },
    },
    args: saveLeadArgs,
    run: async (host, args) => {
      await host.saveLead(args);
      return { result: "saved" };
    },
  }),
  tool({
    spec: {
      name: "schedule_callback",
      description: "Schedule a call back from the team at the time the caller asked for.",
      parameters: {
        type: "object",
        properties: { when: { type: "string", description: "when to call back, as the caller said it" }, notes: { type: "string" } },
        required: ["when"],
      },
    },
    args: scheduleCallbackArgs,
    run: async (host, args) => {
      await host.scheduleCallback(args);
      return { result: "scheduled" };
    },
  }),
  tool({
    spec: { name: "end_call", description: "End the call after saying goodbye.", parameters: { type: "object", properties: {} } },
    args: noArgs,
    run: () => ({ result: "the call will end after your last sentence", action: "hangup" }),
  }),
  tool({
    spec: { name: "transfer_to_human", description: "Transfer the caller to a person on the team when they ask for one.", parameters: { type: "object", properties: {} } },
    args: noArgs,
    run: (host) => (host.canTransfer ? { result: "transferring after your sentence", action: "transfer" } : { result: "no one is available; offer a call back instead" }),
  }),
];

/** The tools offered to the model on this call. */
export function toolSpecs(host: ToolHost): ToolSpec[] {
  return TOOLS.filter((t) => t.available?.(host) ?? true).map((t) => ({ type: "function", function: t.spec }));
}

/** Runs one tool call; the text for the model and, for end/transfer, the action. Never throws. */
export async function runTool(host: ToolHost, name: string, rawArgs: string): Promise<ToolResult> {
  const t = TOOLS.find((x) => x.spec.name === name);
  if (!t) return { result: `error: unknown tool ${name}` };
  let json: unknown = {};
  try {
    json = rawArgs.trim() ? JSON.parse(rawArgs) : {};
  } catch {
    return { result: "error: arguments are not valid JSON" };
  }
  const parsed = t.args.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { result: `error: ${issue?.path.length ? `${issue.path.join(".")}: ` : ""}${issue?.message ?? "invalid arguments"}` };
  }
  try {
    return await t.run(host, parsed.data);
  } catch {
    return { result: "error: this could not be done right now; carry on without it" };
  }
}

/** The host with every failure of its methods reported (and still thrown, so the model hears the tool failed). */
export function guardHost(host: ToolHost, onError: (method: string, err: unknown) => void): ToolHost {
  return new Proxy(host, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        try {
          const r: unknown = value.apply(target, args);
          if (r instanceof Promise) return r.catch((err: unknown) => (onError(String(key), err), Promise.reject(err)));
          return r;
        } catch (err) {
          onError(String(key), err);
          throw err;
        }
      };
    },
  });
}
