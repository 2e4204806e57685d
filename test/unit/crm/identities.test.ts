/** Finding a contact by any address, and merging two contacts without losing anything that belonged to either. */
import { beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { mergeContacts } from "../../../src/crm/contact-merge.ts";
import { ContactService } from "../../../src/crm/contacts.ts";
import { migrate, openDatabase, type Db } from "../../../src/db/client.ts";
import { tempDir } from "../../support/server.ts";

let db: Db;
let contacts: ContactService;
beforeEach(() => {
  db = openDatabase(join(tempDir(), "crm.db"));
  migrate(db);
  contacts = new ContactService(db);
});
const count = (table: string, where = "1") => (db.$client.query(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;

test("a number in any written form finds the one contact; a new number creates a new lead", () => {
  const a = contacts.findOrCreateByPhone("050-123-4567", "phone");
  expect(a).toMatchObject({ phone: "+972501234567", status: "new", source: "phone" });
  for (const form of ["0501234567", "+972 50 123 4567", "whatsapp:+972501234567", "00972501234567"])
    expect(contacts.findOrCreateByPhone(form, "whatsapp").id).toBe(a.id);
  expect(contacts.findOrCreateByPhone("+14155550100", "phone").id).not.toBe(a.id);
  expect(count("contacts")).toBe(2);
});

test("a LID or a Twilio user id without a number is a contact of its own, found again by that address", () => {
  const lid = contacts.identities.resolve({ kind: "lid", value: "123456789012345@LID" }, { source: "whatsapp", name: "Dana" });
  expect(lid).toMatchObject({ phone: null, name: "Dana", source: "whatsapp" });
  expect(contacts.identities.resolve({ kind: "lid", value: "123456789012345@lid" }, { source: "whatsapp" }).id).toBe(lid.id);
  const user = contacts.identities.resolve({ kind: "twilio_user", value: "US1234" }, { source: "whatsapp" });
  expect(user.id).not.toBe(lid.id);
  expect(contacts.identities.of(lid.id)).toEqual([{ kind: "lid", value: "123456789012345@lid" }]);
});

test("a name learned later fills an empty name but never overwrites one", () => {
  const c = contacts.identities.resolve({ kind: "phone", value: "0521112222" }, { source: "whatsapp" });
  expect(contacts.identities.resolve({ kind: "phone", value: "0521112222" }, { source: "whatsapp", name: "Avi" }).name).toBe("Avi");
  expect(contacts.identities.resolve({ kind: "phone", value: "0521112222" }, { source: "whatsapp", name: "Someone else" }).name).toBe("Avi");
  expect(count("contacts")).toBe(1);
  expect(c.id).toBeGreaterThan(0);
});

test("when a LID is mapped to a number that has its own contact, the two become one and nothing is lost", () => {
  const byPhone = contacts.findOrCreateByPhone("+972501234567", "phone");
  const byLid = contacts.identities.resolve({ kind: "lid", value: "999@lid" }, { source: "whatsapp", name: "Dana" });
  db.$client.run("INSERT INTO calls (call_sid, contact_id) VALUES ('CA1', ?)", [byPhone.id]);
  db.$client.run("INSERT INTO messages (contact_id, direction, channel, provider_id, status, text) VALUES (?, 'in', 'baileys', 'M1', 'received', 'hi')", [byLid.id]);
  db.$client.run("INSERT INTO tasks (contact_id, title) VALUES (?, 'call back')", [byLid.id]);

  const merged = contacts.identities.link(byLid.id, { kind: "phone", value: "050-123-4567" });
  expect(merged.id).toBe(byPhone.id); // the older contact survives
  expect(merged).toMatchObject({ phone: "+972501234567", name: "Dana" });
  expect(count("contacts")).toBe(1);
  expect(count("calls", `contact_id = ${byPhone.id}`)).toBe(1);
  expect(count("messages", `contact_id = ${byPhone.id}`)).toBe(1);
  expect(count("tasks", `contact_id = ${byPhone.id}`)).toBe(1);
  expect(contacts.identities.find({ kind: "lid", value: "999@lid" })?.id).toBe(byPhone.id);
});

test("linking a number nobody has gives it to the contact (as its primary phone when it has none)", () => {
  const c = contacts.identities.resolve({ kind: "lid", value: "77@lid" }, { source: "whatsapp" });
  expect(contacts.identities.link(c.id, { kind: "phone", value: "0541234567" }).phone).toBe("+972541234567");
  expect(contacts.identities.link(c.id, { kind: "phone", value: "0549999999" }).phone).toBe("+972541234567");
  expect(contacts.byPhone("054-999-9999")?.id).toBe(c.id);
});

test("merge: fields fill gaps, tags and custom fields unite, notes join, the dropped number keeps finding the survivor", () => {
  const keep = contacts.findOrCreateByPhone("+972501111111", "phone");
  const drop = contacts.findOrCreateByPhone("+972502222222", "whatsapp");
  db.$client.run("UPDATE contacts SET name = 'Keep', tags = '[\"vip\"]', fields = '{\"size\":\"L\"}', notes = 'first' WHERE id = ?", [keep.id]);
  db.$client.run(
    "UPDATE contacts SET name = 'Drop', email = 'd@example.com', tags = '[\"vip\",\"north\"]', fields = '{\"size\":\"S\",\"floor\":3}', notes = 'second', last_contact_at = 1800000000000 WHERE id = ?",
    [drop.id],
  );
  db.$client.run("INSERT INTO notes (contact_id, text) VALUES (?, 'a note')", [drop.id]);
  db.$client.run("INSERT INTO payments (reference, contact_id, amount, currency, description, provider) VALUES ('r1', ?, 15000, 'ILS', 'x', 'paypal')", [drop.id]);
  db.$client.run("INSERT INTO contact_status_history (contact_id, to_status) VALUES (?, 'contacted')", [drop.id]);

  const merged = mergeContacts(db, keep.id, drop.id);
  expect(merged).toMatchObject({ id: keep.id, name: "Keep", email: "d@example.com", phone: "+972501111111", notes: "first\nsecond" });
  expect(merged.tags).toEqual(["vip", "north"]);
  expect(merged.fields).toEqual({ size: "L", floor: 3 });
  expect(merged.lastContactAt?.getTime()).toBe(1800000000000);
  for (const table of ["notes", "payments", "contact_status_history"]) expect(count(table, `contact_id = ${keep.id}`)).toBe(1);
  expect(contacts.byPhone("0502222222")?.id).toBe(keep.id);
  expect(contacts.identities.of(keep.id)).toEqual([
    { kind: "phone", value: "+972501111111" },
    { kind: "phone", value: "+972502222222" },
  ]);
});

test("merge refuses a contact with itself and unknown contacts, changing nothing", () => {
  const a = contacts.findOrCreateByPhone("+972501111111", "phone");
  expect(() => mergeContacts(db, a.id, a.id)).toThrow("itself");
  expect(() => mergeContacts(db, a.id, 9999)).toThrow("no contact 9999");
  expect(count("contacts")).toBe(1);
});
