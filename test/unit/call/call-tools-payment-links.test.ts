/**
 * send_payment_link from a call: the link made and sent, and every refusal — not enabled, malformed or negative
 * amounts, another currency, over the maximum, provider not configured or failing, WhatsApp refusing the link — and
 * what the model is told each time.
 */
import { expect, test } from "bun:test";
import {
  CALLER,
  callEvents,
  callWithTools,
  h,
  LINKS_ON,
  ordersAt,
  outbound,
  paymentsOf,
  paypal,
  refusal63016,
  rest,
  services,
  setup,
  useCallToolsFixture,
} from "../../support/call-tools-fixture.ts";

useCallToolsFixture();

// ── send_payment_link ───────────────────────────────────────────────────────────────────────────────────────────

test("send_payment_link: '150 shekels' becomes 15000 agorot, PayPal makes the order, the link goes to the caller's WhatsApp, the payment is pending on their contact", async () => {
  setup({ llm: true, settings: LINKS_ON });
  const orders = ordersAt();
  const results = await callWithTools("CApay", CALLER, [{ name: "send_payment_link", arguments: { amount: "150 shekels", description: "Boiler repair deposit" } }], "The link is on your WhatsApp.");
  expect(results).toEqual(["sent: a payment link for 150.00 ILS (Boiler repair deposit) is on the caller's WhatsApp"]);
  expect(ordersAt()).toBe(orders + 1);
  const order = JSON.parse(paypal.requests.filter((r) => r.path === "/v2/checkout/orders").at(-1)!.body);
  expect(order.purchase_units[0].amount).toEqual({ currency_code: "ILS", value: "150.00" });
  const [payment] = paymentsOf("CApay");
  const url = payment!.url!;
  expect(url).toStartWith("https://www.sandbox.paypal.com/checkoutnow?token=");
  expect(payment).toMatchObject({ status: "pending", amount: 15000, currency: "ILS", provider: "paypal", description: "Boiler repair deposit", createdById: null });
  expect(rest.messages).toHaveLength(1);
  expect(rest.messages[0]!.form).toMatchObject({ To: `whatsapp:${CALLER}`, Body: `Dana's Plumbing: payment link for Boiler repair deposit (₪150.00):\n${url}` });
  const [message] = outbound("CApay");
  expect(message).toMatchObject({ status: "sent", text: rest.messages[0]!.form.Body });
  const events = services.payments.show(payment!.id, { id: 0, role: "owner" }).events.map((e) => [e.kind, e.data]);
  expect(events).toContainEqual(["link_sent", { channel: "twilio", messageId: message!.id }]);
  expect(callEvents("CApay", "call.payment_link")).toEqual([{ amount: 15000, currency: "ILS", provider: "paypal", sent: true, paymentId: payment!.id }]);
  // offered (with its limits in the prompt) only because the business enabled it
  expect(h.llm!.requests[0]!.tools!.map((t) => t.function.name)).toContain("send_payment_link");
  expect(h.llm!.requests[0]!.messages[0]!.content).toContain("send_payment_link sends the caller a payment link on WhatsApp (in ILS, at most 2000.00 ILS)");
});

test("payment links are not offered unless the business enables them; called anyway, nothing is created", async () => {
  setup({ llm: true });
  const results = await callWithTools("CApayOff", CALLER, [{ name: "send_payment_link", arguments: { amount: 150 } }]);
  expect(h.llm!.requests[0]!.tools!.map((t) => t.function.name)).not.toContain("send_payment_link");
  expect(results[0]).toStartWith("not sent: payment links are not enabled for this business. No link was created.");
  expect(paymentsOf("CApayOff")).toEqual([]);
});

test("amounts: numbers, decimals and thousands are converted exactly; malformed, negative, zero and another currency are refused at the edge", async () => {
  setup({ llm: true, settings: { paymentLinks: { enabled: true, provider: "paypal", currency: "ILS" } } });
  const results = await callWithTools("CAamounts", CALLER, [
    { name: "send_payment_link", arguments: { amount: "a lot", description: "x" } },
    { name: "send_payment_link", arguments: { amount: -5, description: "x" } },
    { name: "send_payment_link", arguments: { amount: "0", description: "x" } },
    { name: "send_payment_link", arguments: { amount: "150 dollars", description: "x" } },
    { name: "send_payment_link", arguments: { amount: 150, currency: "USD", description: "x" } },
    { name: "send_payment_link", arguments: { amount: 10.555, description: "x" } },
    { name: "send_payment_link", arguments: { amount: 150, description: "x", to: "+972509999999" } },
    { name: "send_payment_link", arguments: { amount: 150 } },
  ]);
  expect(results).toEqual([
    "error: amount: must be an amount in ILS such as 150 or 150.50",
    "error: amount: must be an amount in ILS such as 150 or 150.50",
    "error: amount: must be more than 0",
    "error: amount: payment links are in ILS only; ask for the amount in ILS",
    "error: currency: payment links are in ILS only",
    "error: amount: must be an amount in ILS such as 150 or 150.50",
    "error: only `amount`, `currency` and `description`: the link always goes to the caller's own number",
    "error: description: say in a few words what the payment is for",
  ]);
  expect(paymentsOf("CAamounts")).toEqual([]);
  expect(rest.messages).toEqual([]);
});

test("over the business's maximum: refused with a reason the model can say, nothing created", async () => {
  setup({ llm: true, settings: LINKS_ON });
  const orders = ordersAt();
  const results = await callWithTools("CAover", CALLER, [{ name: "send_payment_link", arguments: { amount: "2,000.01", description: "Kitchen" } }]);
  expect(results).toEqual([
    "refused: 2000.01 ILS is more than the most a link from a call may ask for (2000.00 ILS). No link was created. Tell the caller the team will contact them about this payment.",
  ]);
  expect(ordersAt()).toBe(orders);
  expect(paymentsOf("CAover")).toEqual([]);
});

test("a fixed description from the settings is used whatever the model writes", async () => {
  setup({ llm: true, settings: { paymentLinks: { enabled: true, provider: "paypal", currency: "ILS", description: "Visit fee" } } });
  const results = await callWithTools("CAfixed", CALLER, [{ name: "send_payment_link", arguments: { amount: 250, description: "a yacht" } }]);
  expect(results).toEqual(["sent: a payment link for 250.00 ILS (Visit fee) is on the caller's WhatsApp"]);
  expect(paymentsOf("CAfixed")).toEqual([expect.objectContaining({ description: "Visit fee", amount: 25000 })]);
});

test("the provider not configured, or no WhatsApp channel: the tool says so and no payment is created", async () => {
  setup({ llm: true, paypal: false, settings: LINKS_ON });
  const noProvider = await callWithTools("CAnoPaypal", CALLER, [{ name: "send_payment_link", arguments: { amount: 100, description: "Deposit" } }]);
  expect(noProvider).toEqual(["not sent: payment links are not set up on this server. No link was created. Do not tell the caller a link was sent; tell them the team will send the payment details."]);
  expect(paymentsOf("CAnoPaypal")).toEqual([]);

  setup({ llm: true, whatsapp: false, settings: LINKS_ON });
  const orders = ordersAt();
  const noChannel = await callWithTools("CAnoWa", CALLER, [{ name: "send_payment_link", arguments: { amount: 100, description: "Deposit" } }]);
  expect(noChannel[0]).toStartWith("not sent: WhatsApp is not available right now. No link was created.");
  expect(ordersAt()).toBe(orders);
  expect(paymentsOf("CAnoWa")).toEqual([]);

  const hidden = await callWithTools("CAnoNumber", undefined, [{ name: "send_payment_link", arguments: { amount: 100, description: "Deposit" } }]);
  expect(hidden[0]).toStartWith("not sent: the caller's number is hidden, so nothing can be sent to them. No link was created.");
  expect(ordersAt()).toBe(orders);
});

test("a link WhatsApp refuses (63016) is withdrawn: the payment is failed with the reason, never left pending", async () => {
  setup({ llm: true, settings: LINKS_ON });
  rest.messageReply = refusal63016;
  const results = await callWithTools("CApayWindow", CALLER, [{ name: "send_payment_link", arguments: { amount: 99.9, description: "Deposit" } }]);
  expect(results[0]).toBe(
    "not sent: WhatsApp lets the business write first only to people who wrote to it in the last 24 hours. The link was created but never reached the caller, so it is cancelled. Do not tell the caller a link was sent; tell them the team will send the payment details.",
  );
  const [payment] = paymentsOf("CApayWindow");
  expect(payment).toMatchObject({ status: "failed", amount: 9990 });
  const events = services.payments.show(payment!.id, { id: 0, role: "owner" }).events;
  expect(events.at(-1)).toMatchObject({ kind: "link_not_sent", fromStatus: "pending", toStatus: "failed", data: { reason: expect.stringContaining("63016") } });
  expect(outbound("CApayWindow")).toEqual([expect.objectContaining({ status: "failed", errorCode: "63016" })]);
});

test("the payment provider failing: no link exists, the model is told, nothing is sent", async () => {
  setup({ llm: true, settings: LINKS_ON });
  paypal.failNext("/v2/checkout/orders", "500", 2);
  const results = await callWithTools("CApay500", CALLER, [{ name: "send_payment_link", arguments: { amount: 100, description: "Deposit" } }]);
  expect(results[0]).toStartWith("not sent: the payment provider did not answer. No link was created.");
  expect(paymentsOf("CApay500")).toEqual([expect.objectContaining({ status: "failed", url: null })]);
  expect(rest.messages).toEqual([]);
});
