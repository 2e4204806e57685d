/** What goes out on WhatsApp in the business's name without a model: the details, a link, the post-call summary. */
import { expect, test } from "bun:test";
import { callerPhone, notSentOf } from "../../../src/compose/call-tools.ts";
import { detailsMessage, summaryMessage } from "../../../src/compose/whatsapp-texts.ts";
import { businessSettingsSchema } from "../../../src/crm/settings.ts";
import { AppError } from "../../../src/errors.ts";
import { twilioError } from "../../../src/whatsapp/twilio-whatsapp.ts";

const business = businessSettingsSchema.parse({ name: "דני אינסטלציה", hours: "א׳–ה׳ 8:00–18:00", services: "נזילות, דודים" });

test("the details: the business's own message, else its name, hours and services; nothing when it has none", () => {
  expect(detailsMessage(business, "he-IL")).toBe("דני אינסטלציה\nשעות פעילות: א׳–ה׳ 8:00–18:00\nשירותים: נזילות, דודים");
  expect(detailsMessage({ ...business, whatsappDetails: "הרצל 10, חיפה" }, "he-IL")).toBe("הרצל 10, חיפה");
  expect(detailsMessage(businessSettingsSchema.parse({ name: "Dana" }), "en-US")).toBeUndefined();
  // services up to 4,000 characters: the message is cut to what the tool may send
  expect(detailsMessage({ ...business, services: "x".repeat(4000) }, "en-US")!.length).toBe(1000);
});

test("the summary in Hebrew and English; none when nothing was noted", () => {
  const link = { url: "https://pay.example/abc", amount: 25050, currency: "ILS" as const, description: "ביקור" };
  expect(summaryMessage("he-IL", business.name, { name: "נועה", need: "דוד דולף", callbacks: ["מחר ב-10", "מחר ב-11"], links: [link], voicemail: false })).toBe(
    "תודה שהתקשרת לדני אינסטלציה, נועה!\nרשמנו: דוד דולף\nנחזור אליך: מחר ב-11\nקישור לתשלום (₪250.50, ביקור): https://pay.example/abc",
  );
  expect(summaryMessage("en-US", "", { callbacks: [], links: [], voicemail: true })).toBe("Thank you for calling!\nWe got your voicemail and will get back to you soon.");
  expect(summaryMessage("he-IL", business.name, { name: "נועה", callbacks: [], links: [], voicemail: false })).toBeUndefined();
});

test("the caller's own number, never a hidden one", () => {
  expect(callerPhone("+972541234567")).toBe("+972541234567");
  expect(callerPhone("054-123-4567")).toBe("+972541234567");
  for (const hidden of [undefined, null, "", "anonymous", "Restricted", "+266696687", "+7378742833", "+2562533", "+8656696", "+86282452253", "client:alice"]) expect(callerPhone(hidden)).toBeUndefined();
});

test("why a send failed, from the send path's errors", () => {
  expect(notSentOf(twilioError(63016)).why).toBe("window");
  expect(notSentOf(twilioError(63003)).why).toBe("not_on_whatsapp");
  expect(notSentOf(twilioError(63032)).why).toBe("not_on_whatsapp");
  expect(notSentOf(twilioError(20003)).why).toBe("no_channel");
  expect(notSentOf(new AppError("rate_limited", "20 messages to this number are already waiting", "to")).why).toBe("busy");
  expect(notSentOf(new AppError("validation", "to: WhatsApp says 972541234567 is not on WhatsApp", "to")).why).toBe("not_on_whatsapp");
  expect(notSentOf(new Error("socket hang up"))).toEqual({ why: "failed", detail: "socket hang up" });
});
