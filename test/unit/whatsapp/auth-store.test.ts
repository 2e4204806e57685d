/** The WhatsApp session in SQLite: a round trip across a restart, every key type, concurrent writes, one owner. */
import { expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { addTransactionCapability, BufferJSON, makeCacheableSignalKeyStore, proto, type SignalDataSet } from "@whiskeysockets/baileys";
import { SqliteAuthStore } from "../../../src/whatsapp/worker/auth-store.ts";
import { tempDir } from "../../support/server.ts";

const silent = { level: "silent", child: () => silent, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

test("creds and every key type survive closing and reopening, Buffers intact; null deletes", async () => {
  const path = join(tempDir(), "whatsapp.db");
  const a = new SqliteAuthStore(path);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(a.creds.registered).toBe(false);
  a.creds.registered = true;
  a.creds.me = { id: "972501234567:3@s.whatsapp.net", name: "Shop" };
  a.saveCreds();
  const noiseKey = Buffer.from(a.creds.noiseKey.private);

  const keys = a.state.keys;
  const syncKey = proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.from([1, 2, 3]), fingerprint: { rawId: 7, currentIndex: 1 }, timestamp: 1700000000 });
  const data: SignalDataSet & Record<string, Record<string, unknown>> = {
    "pre-key": { "1": { public: Buffer.from([1, 1]), private: Buffer.from([2, 2]) }, "2": { public: Buffer.from([3]), private: Buffer.from([4]) } },
    session: { "972501234567.0": Buffer.from("session-bytes") },
    "sender-key": { "group::me": Buffer.from([9, 9, 9]) },
    "sender-key-memory": { "group@g.us": { "a@s.whatsapp.net": true } },
    "app-state-sync-key": { AAAA: syncKey },
    "app-state-sync-version": { regular: { version: 3, hash: Buffer.alloc(128, 5), indexValueMap: { abc: { valueMac: Buffer.from([8]) } } } },
    "lid-mapping": { "972501234567": "123456789012345", "123456789012345_reverse": "972501234567" },
    "device-list": { "972501234567": ["0", "3"] },
    tctoken: { "123@lid": { token: Buffer.from("tc"), timestamp: "1700000000" } },
    "identity-key": { "972501234567.0": Buffer.from([7, 7]) },
    // a type Baileys may add later: stored like any other, nothing enumerates types
    "some-future-type": { x: { nested: Buffer.from([4, 2]) } },
  };
  await keys.set(data as SignalDataSet);
  a.close();

  const b = new SqliteAuthStore(path);
  expect(b.creds.registered).toBe(true);
  expect(b.creds.me?.id).toBe("972501234567:3@s.whatsapp.net");
  expect(Buffer.isBuffer(b.creds.noiseKey.private)).toBe(true);
  expect(Buffer.from(b.creds.noiseKey.private).equals(noiseKey)).toBe(true);
  for (const [type, entries] of Object.entries(data)) {
    const got = await b.state.keys.get(type as keyof typeof data as never, Object.keys(entries));
    // compare through BufferJSON so Buffers and Uint8Arrays count as equal bytes
    const bytes = (v: unknown) => JSON.parse(JSON.stringify(v, BufferJSON.replacer));
    expect(bytes(got)).toEqual(bytes(entries));
  }
  const sync = (await b.state.keys.get("app-state-sync-key", ["AAAA"])).AAAA!;
  expect(sync).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
  expect(Buffer.from(sync.keyData!)).toEqual(Buffer.from([1, 2, 3]));

  await b.state.keys.set({ "pre-key": { "1": null }, session: { "972501234567.0": null } });
  expect(await b.state.keys.get("pre-key", ["1", "2"])).toEqual({ "2": expect.anything() });
  expect(await b.state.keys.get("session", ["972501234567.0"])).toEqual({});

  // what we sent comes back for Baileys' retries, in its exact protobuf form
  b.rememberSent("MSG1", "972501234567@s.whatsapp.net", { extendedTextMessage: { text: "שלום", contextInfo: { expiration: 86400 } } });
  expect(b.sent("MSG1")?.extendedTextMessage?.text).toBe("שלום");
  expect(b.sent("nope")).toBeUndefined();

  b.wipe();
  expect(b.creds.registered).toBe(false);
  expect(await b.state.keys.get("device-list", ["972501234567"])).toEqual({});
  b.close();
  expect(new SqliteAuthStore(path).creds.registered).toBe(false);
});

test("concurrent keys.set — raw and through Baileys' cache and transactions — each lands whole, the last write wins", async () => {
  const path = join(tempDir(), "whatsapp.db");
  const store = new SqliteAuthStore(path);
  const raw = store.state.keys;
  // 300 writers at once, overlapping ids, mixed with deletes
  await Promise.all(
    Array.from({ length: 300 }, (_, i) =>
      raw.set({
        session: { [`s${i % 20}`]: Buffer.from(`v${i}`) },
        "pre-key": { [`${i}`]: { public: Buffer.from([i & 255]), private: Buffer.from([1]) }, ...(i % 2 ? { [`${i - 1}`]: null } : {}) },
      }),
    ),
  );
  const sessions = await raw.get("session", Array.from({ length: 20 }, (_, i) => `s${i}`));
  for (let k = 0; k < 20; k++) expect(Buffer.from(sessions[`s${k}`]!).toString()).toBe(`v${280 + k}`);
  const preKeys = await raw.get("pre-key", Array.from({ length: 300 }, (_, i) => `${i}`));
  // every odd writer deleted the even key before it: the odd ones remain
  expect(Object.keys(preKeys).map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 150 }, (_, i) => 2 * i + 1));

  // Baileys' own wrappers over the store: a transaction commits as one set()
  const cached = addTransactionCapability(makeCacheableSignalKeyStore(raw, silent), silent, { maxCommitRetries: 3, delayBetweenTriesMs: 10 });
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      cached.transaction(async () => {
        await cached.set({ "sender-key": { [`g${i % 5}`]: Buffer.from(`k${i}`) } });
        await cached.set({ "device-list": { [`u${i}`]: [`${i}`] } });
      }, `key-${i % 5}`),
    ),
  );
  store.close();
  const reopened = new SqliteAuthStore(path);
  const senderKeys = await reopened.state.keys.get("sender-key", ["g0", "g1", "g2", "g3", "g4"]);
  expect(Object.keys(senderKeys).length).toBe(5);
  for (let g = 0; g < 5; g++) expect(Buffer.from(senderKeys[`g${g}`]!).toString()).toBe(`k${45 + g}`);
  expect(Object.keys(await reopened.state.keys.get("device-list", Array.from({ length: 50 }, (_, i) => `u${i}`))).length).toBe(50);
  reopened.close();
});

test("the session has exactly one owner: a second opener is refused while the first holds it", () => {
  const path = join(tempDir(), "whatsapp.db");
  const first = new SqliteAuthStore(path);
  first.saveCreds();
  expect(() => new SqliteAuthStore(path)).toThrow(/locked|busy/i);
  first.close();
  const second = new SqliteAuthStore(path);
  expect(second.creds.noiseKey).toBeDefined();
  second.close();
});
