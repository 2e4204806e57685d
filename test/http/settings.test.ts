/** Settings: the business profile the agent uses, custom contact fields, the providers' state; who may change what. */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runAppScenarios, startHarness, type Harness } from "./crm-harness.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 30_000); // the server, four users and their password hashes take a while on a busy machine
afterAll(() => h.stop());

const PROFILE = {
  name: "אינסטלטור דני",
  greeting: "שלום, הגעתם לדני האינסטלטור",
  hours: "א׳–ה׳ 8:00–18:00",
  services: "תיקון נזילות, התקנת דודים",
  faq: "מחיר ביקור: 250 ₪",
  language: "he-IL",
  ttsVoice: "he-IL-Wavenet-B",
  eouSilenceMs: 450,
  phraseHints: ["דוד שמש", "ניאגרה"],
  transferNumber: "050-123-4567",
  timezone: "Asia/Jerusalem",
};

describe("business profile", () => {
  runAppScenarios(() => h, [
    { name: "read without a session → 401", as: "nobody", url: "/api/settings/business", expectedStatus: 401 },
    { name: "an agent reads", as: "agent", url: "/api/settings/business", expectedStatus: 200, expectedContent: ['"phraseHints":'] },
    { name: "an agent cannot change it → 403", as: "agent", method: "PUT", url: "/api/settings/business", body: PROFILE, expectedStatus: 403 },
    { name: "silence outside 300–600 → 422 naming eouSilenceMs", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, eouSilenceMs: 1000 }, expectedStatus: 422, expectedContent: ['"field":"eouSilenceMs"'] },
    { name: "a voice that is not a Google voice name → 422 naming ttsVoice", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, ttsVoice: "robot" }, expectedStatus: 422, expectedContent: ['"field":"ttsVoice"'] },
    { name: "a transfer number that is not a number → 422 naming transferNumber", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, transferNumber: "call me" }, expectedStatus: 422, expectedContent: ['"field":"transferNumber"'] },
    { name: "an unknown language → 422 naming language", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, language: "fr-FR" }, expectedStatus: 422, expectedContent: ['"field":"language"'] },
    { name: "an unknown time zone → 422 naming timezone", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, timezone: "Asia/Atlantis" }, expectedStatus: 422, expectedContent: ['"field":"timezone"'] },
    { name: "an empty phrase hint → 422 naming it", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, phraseHints: ["ok", " "] }, expectedStatus: 422, expectedContent: ['"field":"phraseHints.1"'] },
    { name: "a post-call summary switch that is not a boolean → 422 naming it", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, postCallSummary: "yes" }, expectedStatus: 422, expectedContent: ['"field":"postCallSummary"'] },
    { name: "a details message over 1000 characters → 422 naming it", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, whatsappDetails: "x".repeat(1001) }, expectedStatus: 422, expectedContent: ['"field":"whatsappDetails"'] },
    { name: "payment links from an unknown provider → 422 naming it", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, paymentLinks: { enabled: true, provider: "stripe" } }, expectedStatus: 422, expectedContent: ['"field":"paymentLinks.provider"'] },
    { name: "payment links in an unknown currency → 422 naming it", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, paymentLinks: { enabled: true, currency: "EUR" } }, expectedStatus: 422, expectedContent: ['"field":"paymentLinks.currency"'] },
    { name: "a maximum that is not whole minor units → 422 naming it", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, paymentLinks: { enabled: true, maxAmount: 150.5 } }, expectedStatus: 422, expectedContent: ['"field":"paymentLinks.maxAmount"', "minor units"] },
    { name: "a maximum of 0 → 422 naming it", as: "owner", method: "PUT", url: "/api/settings/business", body: { ...PROFILE, paymentLinks: { enabled: true, maxAmount: 0 } }, expectedStatus: 422, expectedContent: ['"field":"paymentLinks.maxAmount"'] },
  ]);

  test("an admin saves it (the transfer number normalised to E.164), everyone reads the new values at once, the change is audited", async () => {
    const saved = await h.json("admin", "PUT", "/api/settings/business", PROFILE);
    expect(saved.status).toBe(200);
    // the WhatsApp-from-calls options take their defaults: no summary, no payment links, the details from the profile
    expect(saved.body).toEqual({ ...PROFILE, transferNumber: "+972501234567", whatsappDetails: "", postCallSummary: false, paymentLinks: { enabled: false, provider: "paypal", currency: "ILS" } });
    expect((await h.json("agent", "GET", "/api/settings/business")).body).toEqual(saved.body);
    expect(h.sql("SELECT actor_id AS actor FROM audit_log WHERE action = 'settings.business'")).toEqual([{ actor: h.ids.admin }]);
  });

  test("payment links and the post-call summary are saved as given; an emptied maximum or description is unset", async () => {
    const links = { enabled: true, provider: "tranzila", currency: "USD", maxAmount: 150_000, description: "Deposit" };
    const on = await h.json("owner", "PUT", "/api/settings/business", { ...PROFILE, postCallSummary: true, whatsappDetails: "  Dizengoff 1, Tel Aviv  ", paymentLinks: links });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ postCallSummary: true, whatsappDetails: "Dizengoff 1, Tel Aviv", paymentLinks: links });
    const off = await h.json("owner", "PUT", "/api/settings/business", { ...on.body, paymentLinks: { ...links, maxAmount: null, description: "" } });
    expect(off.body.paymentLinks).toEqual({ enabled: true, provider: "tranzila", currency: "USD" });
    await h.json("owner", "PUT", "/api/settings/business", PROFILE);
  });

  test("an emptied optional field (\"\" or null) means unset: the environment's value applies again", async () => {
    const r = await h.json("owner", "PUT", "/api/settings/business", { ...PROFILE, ttsVoice: "", transferNumber: null, eouSilenceMs: null, timezone: "" });
    expect(r.status).toBe(200);
    expect(r.body).not.toHaveProperty("ttsVoice");
    expect(r.body).not.toHaveProperty("transferNumber");
    expect(r.body).not.toHaveProperty("eouSilenceMs");
    expect(r.body).not.toHaveProperty("timezone");
  });
});

describe("custom contact fields", () => {
  const FIELDS = [
    { key: "size", label: { he: "מידה", en: "Size" }, type: "select", options: ["S", "M"], required: false },
    { key: "floor", label: { he: "קומה" }, type: "number", required: false },
  ];
  runAppScenarios(() => h, [
    { name: "an agent cannot define fields → 403", as: "agent", method: "PUT", url: "/api/settings/contact-fields", body: { fields: FIELDS }, expectedStatus: 403 },
    { name: "a key with capitals → 422 naming it", as: "owner", method: "PUT", url: "/api/settings/contact-fields", body: { fields: [{ ...FIELDS[0], key: "Size" }] }, expectedStatus: 422, expectedContent: ['"field":"fields.0.key"'] },
    { name: "a key of a built-in property → 422", as: "owner", method: "PUT", url: "/api/settings/contact-fields", body: { fields: [{ ...FIELDS[1], key: "phone" }] }, expectedStatus: 422, expectedContent: ["built-in"] },
    { name: "a select without options → 422 naming options", as: "owner", method: "PUT", url: "/api/settings/contact-fields", body: { fields: [{ ...FIELDS[0], options: [] }] }, expectedStatus: 422, expectedContent: ['"field":"fields.0.options"'] },
    { name: "options on a number field → 422", as: "owner", method: "PUT", url: "/api/settings/contact-fields", body: { fields: [{ ...FIELDS[1], options: ["1"] }] }, expectedStatus: 422, expectedContent: ["only a select field has options"] },
    { name: "a key defined twice → 422 naming the second", as: "owner", method: "PUT", url: "/api/settings/contact-fields", body: { fields: [FIELDS[0], FIELDS[0]] }, expectedStatus: 422, expectedContent: ['"field":"fields.1.key"'] },
    { name: "a field without any label → 422 naming label", as: "owner", method: "PUT", url: "/api/settings/contact-fields", body: { fields: [{ ...FIELDS[1], label: {} }] }, expectedStatus: 422, expectedContent: ['"field":"fields.0.label"'] },
    { name: "an unknown type → 422 naming type", as: "owner", method: "PUT", url: "/api/settings/contact-fields", body: { fields: [{ ...FIELDS[1], type: "colour" }] }, expectedStatus: 422, expectedContent: ['"field":"fields.0.type"'] },
  ]);

  test("defined fields validate contacts' values; a required one must be filled; anyone reads the definitions", async () => {
    expect((await h.json("owner", "PUT", "/api/settings/contact-fields", { fields: FIELDS })).body.fields).toEqual(FIELDS);
    expect((await h.json("agent", "GET", "/api/settings/contact-fields")).body.fields).toEqual(FIELDS);
    const ok = await h.json("owner", "POST", "/api/contacts", { name: "x", fields: { size: "M", floor: 3 } });
    expect(ok.body.fields).toEqual({ size: "M", floor: 3 });
    const bad = await h.json("owner", "POST", "/api/contacts", { name: "x", fields: { size: "XL" } });
    expect(bad).toMatchObject({ status: 422, body: { error: { field: "fields.size", message: "fields.size: must be one of: S, M" } } });
    expect((await h.json("owner", "POST", "/api/contacts", { name: "x", fields: { floor: "three" } })).body.error.field).toBe("fields.floor");
    // a value removed with null
    expect((await h.json("owner", "PATCH", `/api/contacts/${ok.body.id}`, { fields: { floor: null } })).body.fields).toEqual({ size: "M" });

    await h.json("owner", "PUT", "/api/settings/contact-fields", { fields: [{ ...FIELDS[0], required: true }, FIELDS[1]] });
    const missing = await h.json("owner", "POST", "/api/contacts", { name: "y" });
    expect(missing).toMatchObject({ status: 422, body: { error: { field: "fields.size", message: "fields.size: is required" } } });
    expect((await h.json("owner", "PATCH", `/api/contacts/${ok.body.id}`, { fields: { size: null } })).body.error.field).toBe("fields.size");
    // a contact the phone creates (a caller) is kept without it: required applies to what people type
    await h.json("owner", "PUT", "/api/settings/contact-fields", { fields: FIELDS });
  });
});

describe("providers", () => {
  test("the same state as /readyz with reasons, and what is configured — never a secret", async () => {
    const ready = await (await h.server.app.request("/readyz")).json();
    const r = await h.json("agent", "GET", "/api/settings/providers");
    expect(r.status).toBe(200);
    const { configured, ...state } = r.body;
    expect(state).toEqual(ready);
    expect(state.details.stt).toContain("not configured");
    expect(configured).toMatchObject({ google: "none", llm: null, whatsapp: { enabled: false }, payments: { paypal: false, tranzila: false } });
    expect(JSON.stringify(r.body)).not.toMatch(/secret|password|token/i);
    expect((await h.json("nobody", "GET", "/api/settings/providers")).status).toBe(401);
  });
});
