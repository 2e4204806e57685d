/**
 * The tools the model may call, their JSON schemas, and the zod checks of their arguments (the model's output is
 * untrusted input). Saving and scheduling go through a ToolHost (the CRM, injected); ending and transferring the
 * call are returned as actions the call carries out once the agent has finished speaking.
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

export interface ToolHost {
  saveLead(lead: LeadInput): void;
  scheduleCallback(input: { when: string; notes?: string }): void;
  /** Whether a transfer number is configured. */
  canTransfer: boolean;
}

export type CallAction = "hangup" | "transfer";

const str = z.string().trim().max(500).optional();
export const saveLeadArgs = z.object({ name: str, need: str, area: str, budget: str, notes: z.string().trim().max(2000).optional() });
export const scheduleCallbackArgs = z.object({ when: z.string().trim().min(1).max(200), notes: str });

export const TOOL_SPECS: ToolSpec[] = [
  {
    type: "function",
    function: {
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
  },
  {
    type: "function",
    function: {
      name: "schedule_callback",
      description: "Schedule a call back from the team at the time the caller asked for.",
      parameters: {
        type: "object",
        properties: { when: { type: "string", description: "when to call back, as the caller said it" }, notes: { type: "string" } },
        required: ["when"],
      },
    },
  },
  {
    type: "function",
    function: { name: "end_call", description: "End the call after saying goodbye.", parameters: { type: "object", properties: {} } },
  },
  {
    type: "function",
    function: { name: "transfer_to_human", description: "Transfer the caller to a person on the team when they ask for one.", parameters: { type: "object", properties: {} } },
  },
];

/** Runs one tool call; returns the text for the model and, for end/transfer, the action. */
export function runTool(host: ToolHost, name: string, rawArgs: string): { result: string; action?: CallAction } {
  let args: unknown = {};
  try {
    args = rawArgs ? JSON.parse(rawArgs) : {};
  } catch {
    return { result: "error: arguments are not valid JSON" };
  }
  switch (name) {
    case "save_lead": {
      const parsed = saveLeadArgs.safeParse(args);
      if (!parsed.success) return { result: `error: ${parsed.error.issues[0]?.message}` };
      host.saveLead(parsed.data);
      return { result: "saved" };
    }
    case "schedule_callback": {
      const parsed = scheduleCallbackArgs.safeParse(args);
      if (!parsed.success) return { result: "error: `when` is required" };
      host.scheduleCallback(parsed.data);
      return { result: "scheduled" };
    }
    case "end_call":
      return { result: "the call will end after your last sentence", action: "hangup" };
    case "transfer_to_human":
      return host.canTransfer ? { result: "transferring after your sentence", action: "transfer" } : { result: "no one is available; offer a call back instead" };
    default:
      return { result: `error: unknown tool ${name}` };
  }
}
