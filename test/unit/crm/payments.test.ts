/** The payment state machine and its storage: allowed moves, replays, refused moves kept for review, live + audit. */
import { beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AuditService } from "../../../src/crm/audit.ts";
import { canMove, PaymentStore } from "../../../src/crm/payments.ts";
import { migrate, openDatabase, type Db } from "../../../src/db/client.ts";
import { PAYMENT_STATUSES, type PaymentStatus } from "../../../src/db/schema.ts";
import { liveFeed, type LiveEvent } from "../../../src/live-events.ts";
import { tempDir } from "../../support/server.ts";

let db: Db;
let store: PaymentStore;
let live: LiveEvent[];
let seq = 0;
beforeEach(() => {
  db = openDatabase(join(tempDir(), "pay.db"));
  migrate(db);
  live = [];
  store = new PaymentStore(db, new AuditService(db), liveFeed((e) => live.push(e)));
});
const make = (status?: PaymentStatus) => {
  const p = store.create({ reference: `al_${String(++seq).padStart(24, "0")}`, amount: 1000, currency: "ILS", description: "d", provider: "tranzila", contactId: null, createdById: null });
  if (status && status !== "created") db.$client.run("UPDATE payments SET status = ? WHERE id = ?", [status, p.id]);
  return store.byId(p.id)!;
};

describe("transitions", () => {
  const allowed: Record<PaymentStatus, PaymentStatus[]> = {
    created: ["pending", "failed", "expired"],
    pending: ["paid", "failed", "expired", "review"],
    review: ["paid", "failed", "refunded"],
    expired: ["paid", "review"],
    failed: ["paid", "review"],
    paid: ["refunded"],
    refunded: [],
  };
  for (const from of PAYMENT_STATUSES)
    for (const to of PAYMENT_STATUSES) {
      if (from === to) continue;
      const ok = allowed[from].includes(to);
      test(`${from} → ${to} ${ok ? "moves" : "is refused and kept for review"}`, () => {
        expect(canMove(from, to)).toBe(ok);
        const p = make(from);
        const r = store.change(p.id, { to, event: { kind: "test" } });
        expect(r.changed).toBe(ok);
        expect(store.byId(p.id)!.status).toBe(ok ? to : from);
        const ev = store.events(p.id).at(-1)!;
        expect(ev).toMatchObject({ kind: "test", fromStatus: from, toStatus: ok ? to : from, review: !ok });
      });
    }
});

test("a replayed external id changes nothing and publishes nothing", () => {
  const p = make("pending");
  const first = store.change(p.id, { to: "paid", set: { providerTxn: "77" }, event: { kind: "notify", externalId: "77" } });
  expect(first).toMatchObject({ changed: true, replay: false });
  const liveCount = live.length;
  const again = store.change(p.id, { to: "paid", set: { providerTxn: "77" }, event: { kind: "notify", externalId: "77" } });
  expect(again).toMatchObject({ changed: false, replay: true });
  expect(live.length).toBe(liveCount);
  expect(store.events(p.id).filter((e) => e.kind === "notify")).toHaveLength(1);
});

test("one transaction can pay one payment only, and a paid payment keeps its first transaction", () => {
  const a = make("pending");
  const b = make("pending");
  store.change(a.id, { to: "paid", set: { providerTxn: "500" }, event: { kind: "notify", externalId: "500" } });
  const stolen = store.change(b.id, { to: "paid", set: { providerTxn: "500" }, event: { kind: "other" } });
  expect(stolen.changed).toBe(false);
  expect(stolen.refused).toContain("already belongs to payment");
  expect(store.byId(b.id)!.status).toBe("pending");
  const second = store.change(a.id, { to: "paid", set: { providerTxn: "501" }, event: { kind: "notify", externalId: "501" } });
  expect(second.refused).toContain("second one");
  expect(store.byId(a.id)!.providerTxn).toBe("500");
});

test("a change is audited and published with the contact; paidAt is set once", () => {
  const p = make("pending");
  store.change(p.id, { to: "paid", event: { kind: "x" }, actorId: null });
  const paid = store.byId(p.id)!;
  expect(paid.paidAt).toBeInstanceOf(Date);
  expect(live.at(-1)).toMatchObject({ type: "payment.updated", data: { id: p.id, status: "paid", from: "pending" } });
  const audit = db.$client.query("SELECT action, target, details FROM audit_log WHERE action = 'payment.status'").all() as Array<{ details: string }>;
  expect(audit).toHaveLength(1);
  expect(JSON.parse(audit[0]!.details)).toMatchObject({ from: "pending", to: "paid" });
});

test("a notification with no payment is kept for review once per external id", () => {
  expect(store.keepUnmatched("paypal", { kind: "webhook", externalId: "WH-1", data: { a: 1 } })).toBe(true);
  expect(store.keepUnmatched("paypal", { kind: "webhook", externalId: "WH-1" })).toBe(false);
  expect(store.unmatched()).toEqual([expect.objectContaining({ paymentId: null, review: true, externalId: "WH-1" })]);
});
