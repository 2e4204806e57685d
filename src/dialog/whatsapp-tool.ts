/**
 * `send_whatsapp`: the model sends the caller a WhatsApp message it writes (the business's details they asked
 * for). It has no recipient argument: the message goes to the caller's own number or nowhere. Its answer tells the
 * model in plain words whether the message was sent and, when not, what to offer instead.
 */
import { z } from "zod";
import { defineTool, type NotSent, type ToolHost } from "./tool-host.ts";

/** The longest message the model may send (characters): a few lines of details, well under Twilio's 1,600. */
export const MAX_WHATSAPP_TEXT = 1000;

/** A message for an unexpected argument (a recipient, say): the one the model reads. */
export const onlyThese = (message: string) => ({ error: (issue: { code?: string }) => (issue.code === "unrecognized_keys" ? message : undefined) });

export const sendWhatsappArgs = z.strictObject(
  { text: z.string().trim().min(1, "`text` is required").max(MAX_WHATSAPP_TEXT, `at most ${MAX_WHATSAPP_TEXT} characters`) },
  onlyThese("only `text`: the message always goes to the caller's own number"),
);

/** Why a message did not go out, in words the model can pass on. */
export const NOT_SENT_REASON: Record<NotSent, string> = {
  no_number: "the caller's number is hidden, so nothing can be sent to them",
  no_channel: "WhatsApp is not available right now",
  not_on_whatsapp: "the caller's number cannot receive WhatsApp messages",
  window: "WhatsApp lets the business write first only to people who wrote to it in the last 24 hours",
  busy: "too many messages to this number are already waiting",
  limit: "this call has already sent as many WhatsApp messages as one call may",
  pending: "it was handed to WhatsApp but not confirmed in time",
  failed: "WhatsApp could not send it",
};

/** What the model is told when a message did not go out. */
export function notSentText(why: NotSent): string {
  if (why === "pending") return "not confirmed yet: the message was handed to WhatsApp but not confirmed. Say it should arrive shortly; do not promise it.";
  const retry = why === "window" ? " Or ask them to send the business any WhatsApp message, then try once more." : "";
  return `not sent: ${NOT_SENT_REASON[why]}. Do not tell the caller it was sent. Offer to tell them the details now instead.${retry}`;
}

export const whatsappTool = defineTool({
  spec: {
    name: "send_whatsapp",
    description:
      "Send the caller a WhatsApp message, to their own number, with details they asked for (address, hours, prices, services — only facts from your instructions). Write the whole message; at most 1000 characters. Only say it was sent if this tool answers 'sent'.",
    parameters: {
      type: "object",
      properties: { text: { type: "string", description: "the message, in the caller's language" } },
      required: ["text"],
      additionalProperties: false,
    },
  },
  args: sendWhatsappArgs,
  reachesCaller: true,
  available: (host) => Boolean(host.sendWhatsapp),
  guidance: (host) =>
    [
      "send_whatsapp sends the caller a WhatsApp message when they want details in writing; never say a message was sent unless it answered 'sent'.",
      host.businessDetails ? `The business's details message, to send as it is when the caller asks for the details:\n${host.businessDetails}` : "",
    ]
      .filter(Boolean)
      .join("\n"),
  run: async (host: ToolHost, { text }: z.infer<typeof sendWhatsappArgs>) => {
    if (!host.sendWhatsapp) return { result: notSentText("no_channel") };
    const r = await host.sendWhatsapp(text);
    if (r.sent) return { result: r.again ? "sent (this same message was already sent earlier in this call)" : "sent: the caller will get it on WhatsApp" };
    return { result: notSentText(r.why) };
  },
});
