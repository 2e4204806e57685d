/**
 * Password checks through the password gate: an unknown email costs the same place and time as a real account's
 * wrong password, and under pressure no argon2 at all.
 */
import { expect, test } from "bun:test";
import { Semaphore } from "../../../src/auth/semaphore.ts";
import { DUMMY_HASH, UserService } from "../../../src/crm/users.ts";
import { eq } from "drizzle-orm";
import { users as usersTable } from "../../../src/db/schema.ts";
import { migrate, openDatabase } from "../../../src/db/client.ts";

async function setup() {
  const db = openDatabase(":memory:");
  migrate(db);
  const gate = new Semaphore(1, 4, 60_000, 1);
  const users = new UserService(db, gate);
  await users.create({ email: "owner@example.com", password: "owner-password", role: "owner" });
  return { gate, users };
}

/** Holds the gate's one ordinary slot until `release` is called. */
function occupy(gate: Semaphore) {
  let release!: () => void;
  const done = gate.run(() => new Promise<void>((r) => (release = r)));
  return { release: () => release(), done };
}

test("with the gate free, an unknown email is verified against a real stand-in hash", async () => {
  const { users } = await setup();
  expect(await users.verify("nobody@example.com", "guess")).toBeUndefined();
  expect(users.checks).toEqual({ real: 1, standIn: 0 });
});

test("under pressure, an unknown email holds its place in the gate for a verification's measured time and hashes nothing", async () => {
  const { gate, users } = await setup();
  expect(await users.verify("owner@example.com", "wrong")).toBeUndefined(); // measures what a verification costs
  const busy = occupy(gate);
  const unknown = users.verify("nobody@example.com", "guess");
  expect(gate.queued).toBe(1); // it waits like a real account's check would
  let settled = false;
  void unknown.then(() => (settled = true));
  const t0 = performance.now();
  busy.release();
  await busy.done;
  await Bun.sleep(0);
  // it now holds the slot (another ordinary check would wait) — for as long as a real verification took
  expect(gate.running).toBe(1);
  expect(gate.pressed).toBe(true);
  expect(settled).toBe(false);
  expect(await unknown).toBeUndefined();
  const held = performance.now() - t0;
  expect(users.checks).toEqual({ real: 1, standIn: 1 });
  // a lower bound only (a timer never fires early by more than a millisecond): the same cost, no argon2
  expect(held).toBeGreaterThanOrEqual(users.verifyCostMs! - 1);
  // a real account's wrong password under the same pressure is verified for real
  const busy2 = occupy(gate);
  const owner = users.verify("owner@example.com", "wrong-again");
  busy2.release();
  await busy2.done;
  expect(await owner).toBeUndefined();
  expect(users.checks).toEqual({ real: 2, standIn: 1 });
});

test("the priority lane verifies a known address's login while the ordinary lane is full", async () => {
  const { gate, users } = await setup();
  const busy = occupy(gate);
  const queued = Array.from({ length: 4 }, (_, i) => users.verify(`guess${i}@example.com`, "guess"));
  expect(gate.queued).toBe(4);
  expect(await users.verify("owner@example.com", "owner-password", { priority: true })).toMatchObject({ email: "owner@example.com" });
  expect(gate.stats.priority).toEqual({ immediate: 1, waited: 0, refused: 0 });
  busy.release();
  expect(await Promise.all(queued)).toEqual([undefined, undefined, undefined, undefined]);
});

test("a new password is argon2id at 19 MiB and 2 passes, and the stand-in hash for unknown emails costs the same", async () => {
  const db = openDatabase(":memory:");
  migrate(db);
  const users = new UserService(db, new Semaphore(1, 4, 60_000, 1));
  await users.create({ email: "owner@example.com", password: "owner-password", role: "owner" });
  const stored = db.select().from(usersTable).where(eq(usersTable.email, "owner@example.com")).get()!.passwordHash;
  const params = (h: string) => h.split("$").slice(1, 4).join("$");
  expect(params(stored)).toBe("argon2id$v=19$m=19456,t=2,p=1");
  expect(params(DUMMY_HASH)).toBe(params(stored));
  // a hash made at the old, costlier default still verifies
  const old = await Bun.password.hash("old-password", { algorithm: "argon2id" });
  db.update(usersTable).set({ passwordHash: old }).where(eq(usersTable.email, "owner@example.com")).run();
  expect(await users.verify("owner@example.com", "old-password")).toMatchObject({ email: "owner@example.com" });
});
