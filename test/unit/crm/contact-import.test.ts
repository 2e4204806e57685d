/**
 * The import's write: the plan applies only if what it was planned against still holds (a call may create a contact
 * with a number in the file, someone may edit a contact the file updates, while the file is being read); otherwise
 * nothing is written and the file is planned again — one contact per number whatever runs at the same time.
 */
import { beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { commitPlan, ContactReader, type PlannedContact } from "../../../src/crm/contact-import-commit.ts";
import { Slicer } from "../../../src/crm/contact-import.ts";
import { ContactService } from "../../../src/crm/contacts.ts";
import { migrate, openDatabase, type Db } from "../../../src/db/client.ts";
import { tempDir } from "../../support/server.ts";

let db: Db;
let contacts: ContactService;
const owner = { userId: 1, role: "owner" as const };
beforeEach(() => {
  db = openDatabase(join(tempDir(), "crm.db"));
  migrate(db);
  db.$client.run("INSERT INTO users (id, email, password_hash, role) VALUES (1, 'owner@example.com', 'x', 'owner')");
  contacts = new ContactService(db);
});
const count = () => (db.$client.query("SELECT count(*) AS n FROM contacts").get() as { n: number }).n;

const newContact = (ref: number, phone: string): PlannedContact => ({
  ref,
  firstRow: ref + 1,
  state: { name: `P${ref}`, phone, email: null, status: "new", source: "import", ownerId: null, tags: [], fields: {}, need: null, area: null, budget: null, notes: null },
  history: [{ from: null, to: "new" }],
});

test("a number the plan creates that a call took meanwhile: nothing written", async () => {
  const plan = [newContact(1, "+972501110001"), newContact(2, "+972501110002")];
  contacts.findOrCreateByPhone("+972501110002", "phone");
  expect(await commitPlan(db, plan, 1, new Slicer())).toBeUndefined();
  expect(count()).toBe(1);
  expect(db.$client.query("SELECT count(*) AS n FROM contact_status_history").get()).toEqual({ n: 0 });
});

test("a contact the plan updates that was edited (or deleted) meanwhile: nothing written; unchanged, the plan applies", async () => {
  const dana = contacts.create({ name: "Dana", phone: "+972501234567" }, owner);
  const planned = () => {
    const c = new ContactReader(db).byPhone("+972501234567")!;
    c.ref = 2;
    c.state = { ...c.state, status: "won" };
    c.history.push({ from: "new", to: "won" });
    return [newContact(1, "+972501110001"), c];
  };
  const stale = planned();
  contacts.update(dana.id, { need: "a kitchen" }, owner);
  expect(await commitPlan(db, stale, 1, new Slicer())).toBeUndefined();
  expect(count()).toBe(1);
  expect(contacts.byId(dana.id)!.status).toBe("new");

  const ids = await commitPlan(db, planned(), 1, new Slicer());
  expect(ids?.get(2)).toBe(dana.id);
  expect(contacts.byId(ids!.get(1)!)).toMatchObject({ name: "P1", phone: "+972501110001", source: "import" });
  expect(contacts.byId(dana.id)).toMatchObject({ status: "won", need: "a kitchen" });
});

test("calls creating contacts with the file's numbers while it is imported: one contact per number, every row accounted for", async () => {
  const n = 3000;
  const phone = (i: number) => `+9725${String(20_000_000 + i).padStart(8, "0")}`;
  const file = ["name,phone", ...Array.from({ length: n }, (_, i) => `P${i},0${phone(i).slice(4)}`)].join("\n");
  let finished = false;
  const importing = contacts.importCsv(new TextEncoder().encode(file), { onDuplicate: "update", dryRun: false, actor: owner }).finally(() => (finished = true));
  // the first numbers of the file (planned first) called in while the rest is read
  for (let i = 0; i < 3 && !finished; i++) {
    await new Promise((r) => setImmediate(r));
    contacts.findOrCreateByPhone(phone(i), "phone");
  }
  const report = await importing;
  expect(report.created + report.updated).toBe(n);
  expect(report.failed).toBe(0);
  expect(count()).toBe(n);
  expect(db.$client.query("SELECT count(DISTINCT phone) AS n FROM contacts").get()).toEqual({ n });
});
