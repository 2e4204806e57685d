/** The tools' edges: amounts as a model writes them → integer minor units; the tools offered and their prompt lines; the script's WhatsApp request. */
import { expect, test } from "bun:test";
import { linesFor } from "../../../src/dialog/lines.ts";
import { paymentLinkArgs, readAmount } from "../../../src/dialog/payment-tool.ts";
import { ScriptedDialog } from "../../../src/dialog/script.ts";
import { runTool, toolGuidance, toolSpecs, type ToolHost } from "../../../src/dialog/tools.ts";

test("amounts the way models write them become exact integer minor units", () => {
  const ils = paymentLinkArgs("ILS");
  const minor = (amount: unknown) => {
    const r = ils.safeParse({ amount });
    return r.success ? r.data.amount : r.error.issues[0]!.message;
  };
  expect(minor(150)).toBe(15000);
  expect(minor(150.5)).toBe(15050);
  expect(minor("150.50")).toBe(15050);
  expect(minor("₪1,500")).toBe(150000);
  expect(minor(" 150 ש״ח ")).toBe(15000);
  expect(minor("150 שקלים")).toBe(15000);
  expect(minor("12,000.25 NIS")).toBe(1200025);
  expect(minor(0.1 + 0.2)).toBe("must be an amount in ILS such as 150 or 150.50"); // 0.30000000000000004: never rounded
  expect(minor("1,5")).toBe("must be an amount in ILS such as 150 or 150.50");
  expect(minor("1e3")).toBe("must be an amount in ILS such as 150 or 150.50");
  expect(minor(true)).toBe("must be an amount in ILS such as 150 or 150.50");
  expect(minor("$20")).toBe("payment links are in ILS only; ask for the amount in ILS");
  expect(minor("0.00")).toBe("must be more than 0");
  expect(paymentLinkArgs("USD").parse({ amount: "$20.5" }).amount).toBe(2050);
  expect(readAmount("20 dollars")).toEqual({ decimal: "20", named: "USD" });
});

const base: ToolHost = { canTransfer: false, saveLead() {}, scheduleCallback() {} };

test("tools that reach WhatsApp or payments are offered only when the host has them", () => {
  const names = (h: ToolHost) => toolSpecs(h).map((t) => t.function.name);
  expect(names(base)).toEqual(["save_lead", "schedule_callback", "end_call", "transfer_to_human"]);
  const send = async () => ({ sent: true as const, messageId: 1 });
  expect(names({ ...base, sendWhatsapp: send })).toContain("send_whatsapp");
  expect(names({ ...base, sendWhatsapp: send })).not.toContain("send_payment_link");
  const withLinks: ToolHost = { ...base, sendWhatsapp: send, paymentLinks: { currency: "USD", maxAmount: 5000, description: "Deposit" }, sendPaymentLink: async () => ({ sent: true, paymentId: 1, amount: 1, currency: "USD" }) };
  expect(names(withLinks)).toContain("send_payment_link");
  expect(toolGuidance(withLinks)).toEqual([
    "send_whatsapp sends the caller a WhatsApp message when they want details in writing; never say a message was sent unless it answered 'sent'.",
    'send_payment_link sends the caller a payment link on WhatsApp (in USD, at most 50.00 USD, always for "Deposit"); never say a link was sent unless it answered \'sent\'.',
  ]);
});

test("a host that throws while sending: the model hears the tool failed, never that it was sent", async () => {
  const host: ToolHost = { ...base, sendWhatsapp: async () => Promise.reject(new Error("database is locked")) };
  expect(await runTool(host, "send_whatsapp", JSON.stringify({ text: "hi" }))).toEqual({ result: "error: this could not be done right now; carry on without it" });
});

test("the script hears a request for the details on WhatsApp (Hebrew and English) only when it can send them", () => {
  const leads: unknown[] = [];
  const host: ToolHost = { ...base, saveLead: (l) => leads.push(l) };
  const he = new ScriptedDialog(linesFor("he-IL"), host, { details: true });
  expect(he.respond("תשלחי לי את הפרטים בוואטסאפ בבקשה")).toEqual({ sentences: [], details: true });
  expect(he.respond("אפשר לשלוח לי בווטסאפ?").details).toBe(true);
  // a need that mentions WhatsApp is a need
  expect(he.respond("יש לי בעיה עם הוואטסאפ בטלפון").details).toBeUndefined();
  const en = new ScriptedDialog(linesFor("en-US"), host, { details: true });
  en.respond("I need a plumber");
  expect(en.respond("could you text me your details on whats app")).toEqual({ sentences: ["Thank you. What's your name?"], details: true });
  const cannot = new ScriptedDialog(linesFor("en-US"), host);
  expect(cannot.respond("send me the details on WhatsApp").details).toBeUndefined();
  expect(leads).toEqual([{ need: "יש לי בעיה עם הוואטסאפ בטלפון" }, { need: "I need a plumber" }, { need: "send me the details on WhatsApp" }]);
});
