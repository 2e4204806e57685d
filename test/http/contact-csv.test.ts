/** Contacts CSV: the export as Excel reads it (BOM, quoting, Hebrew), the import's per-row report, dedupe, and files that change nothing. */
import { afterAll, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { parse } from "csv-parse/sync";
import { startHarness, type Harness } from "./crm-harness.ts";

// argon2 hashes and real I/O: bun's 5 s default is too short for hooks and tests on a busy CI machine
setDefaultTimeout(20_000);

let h: Harness;
const FIELDS = [
  { key: "size", label: { he: "מידה", en: "Size" }, type: "select", options: ["S", "M", "L"] },
  { key: "floor", label: { he: "קומה" }, type: "number" },
  { key: "moving_date", label: { en: "Moving date" }, type: "date" },
];

beforeAll(async () => {
  h = await startHarness({});
  expect((await h.json("owner", "PUT", "/api/settings/contact-fields", { fields: FIELDS })).status).toBe(200);
}, 30_000); // the server, four users and their password hashes take a while on a busy machine
afterAll(() => h.stop());

/** Removes every contact, so each test starts from an empty book. */
beforeEach(() => {
  h.sql("DELETE FROM contacts");
});

const csvUpload = (text: string | Uint8Array, query = "", who: "owner" | "agent" = "owner") => h.req(who, "POST", `/api/contacts/import${query}`, typeof text === "string" ? new TextEncoder().encode(text) : text, { "content-type": "text/csv" });
const importCsv = async (text: string | Uint8Array, query = "") => {
  const res = await csvUpload(text, query);
  return { status: res.status, body: (await res.json()) as any };
};
const exportCsv = async (query = "", who: "owner" | "agent" = "owner") => {
  const res = await h.req(who, "GET", `/api/contacts.csv${query}`);
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
};
const count = () => (h.sql("SELECT count(*) AS n FROM contacts")[0] as { n: number }).n;
const decode = (bytes: Uint8Array) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);

const TRICKY = {
  name: 'דנה "הגדולה" כהן, בע"מ',
  phone: "050-123-4567",
  email: "dana@example.com",
  status: "proposal",
  tags: ["vip", "צפון"],
  need: "מטבח חדש\nעם אי",
  notes: "שורה 1\r\nשורה 2; עם, פסיקים",
  fields: { size: "L", floor: 3.5, moving_date: "2025-12-31" },
};

describe("export", () => {
  test("UTF-8 with a BOM, CRLF rows, proper quoting, Hebrew intact, custom fields as columns, a download name", async () => {
    await h.json("owner", "POST", "/api/contacts", TRICKY);
    const { res, bytes } = await exportCsv();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = decode(bytes);
    expect(text.split("\r\n")[0]).toBe("\uFEFFid,name,phone,email,status,tags,owner,source,need,area,budget,notes,createdAt,lastContactAt,size,floor,moving_date");
    expect(text).toContain('"דנה ""הגדולה"" כהן, בע""מ"');
    expect(text).toContain('"מטבח חדש\nעם אי"');
    const [header, row] = parse(text, { bom: true }) as string[][];
    const record = Object.fromEntries(header!.map((k, i) => [k, row![i]]));
    expect(record).toMatchObject({ name: TRICKY.name, phone: "+972501234567", status: "proposal", tags: "vip, צפון", need: TRICKY.need, notes: TRICKY.notes, size: "L", floor: "3.5", moving_date: "2025-12-31" });
    expect(record.createdAt).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  });

  test("a cell a spreadsheet would run as a formula is neutralised; a phone number is not", async () => {
    await h.json("owner", "POST", "/api/contacts", { name: '=HYPERLINK("http://evil.example","x")', phone: "+972501112222", need: "@SUM(1)", area: "+cmd|' /C calc'!A0", budget: "-5000" });
    const text = decode((await exportCsv()).bytes);
    const [header, row] = parse(text, { bom: true }) as string[][];
    const record = Object.fromEntries(header!.map((k, i) => [k, row![i]]));
    expect(record).toMatchObject({ name: `'=HYPERLINK("http://evil.example","x")`, phone: "+972501112222", need: "'@SUM(1)", area: "'+cmd|' /C calc'!A0", budget: "-5000" });
  });

  test("headers by Hebrew label; the same filters and scope as the list", async () => {
    await h.json("owner", "POST", "/api/contacts", { name: "שלי", ownerId: h.ids.agent, tags: ["x"] });
    await h.json("owner", "POST", "/api/contacts", { name: "לא שלי", tags: ["x"] });
    const he = decode((await exportCsv("?lang=he")).bytes);
    expect(he.split("\r\n")[0]).toBe("\uFEFFמזהה,שם,טלפון,אימייל,סטטוס,תגיות,אחראי,מקור,צורך,אזור,תקציב,הערות,נוצר,קשר אחרון,מידה,קומה,Moving date");
    const agent = decode((await exportCsv("", "agent")).bytes);
    expect(agent).toContain("שלי");
    expect(agent).not.toContain("לא שלי");
    expect(agent).toContain("agent@example.com");
    const filtered = decode((await exportCsv(`?q=${encodeURIComponent("לא")}`)).bytes);
    expect(filtered).toContain("לא שלי");
    expect(filtered.split("\r\n").filter(Boolean)).toHaveLength(2);
    expect((await h.req("nobody", "GET", "/api/contacts.csv")).status).toBe(401);
  });

  test("a large book streams out whole", async () => {
    h.sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200) INSERT INTO contacts (name, phone) SELECT 'איש ' || i, '+97250' || (1000000 + i) FROM n`);
    const rows = parse(decode((await exportCsv()).bytes), { bom: true }) as string[][];
    expect(rows).toHaveLength(1201);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(1200);
  });
});

describe("round trip", () => {
  test("export → empty the book → import gives back the same contacts, Hebrew and all", async () => {
    await h.json("owner", "POST", "/api/contacts", TRICKY);
    await h.json("owner", "POST", "/api/contacts", { name: "Yossi", phone: "+14155550100", tags: ["north"], ownerId: h.ids.agent, fields: { size: "S" } });
    await h.json("owner", "POST", "/api/contacts", { name: "=1+1", email: "formula@example.com" });
    const keys = ["name", "phone", "email", "status", "tags", "ownerId", "need", "notes", "fields"] as const;
    const snapshot = async () =>
      ((await h.json("owner", "GET", "/api/contacts?sort=name&order=asc")).body.items as any[]).map((c) => Object.fromEntries(keys.map((k) => [k, c[k]])));
    const before = await snapshot();
    for (const lang of ["key", "he", "en"]) {
      const { bytes } = await exportCsv(`?lang=${lang}`);
      h.sql("DELETE FROM contacts");
      const r = await importCsv(bytes);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ created: 3, updated: 0, skipped: 0, failed: 0, problems: [] });
      expect(await snapshot()).toEqual(before);
    }
  });
});

describe("import", () => {
  test("a per-row report: every problem of a failed row with its field; good rows imported; unknown columns reported", async () => {
    const file = [
      "name,phone,email,status,tags,owner,size,floor,moving_date,favourite colour",
      "דנה,050-123-4567,dana@example.com,new,vip,,M,2,31/12/2025,blue",
      "bad phone,12,,,,,,,,",
      "bad many,050-765-4321,not-an-email,hot,,who@example.com,XL,two,2025-02-30,",
      "",
      ",,,,,,,,,",
      "Email only,,only@example.com,won,,agent@example.com,,,,",
      ",,,,a tag,,,,,",
    ].join("\n");
    const r = await importCsv(file);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ onDuplicate: "update", dryRun: false, created: 2, updated: 0, skipped: 0, failed: 3 });
    expect(r.body.problems).toEqual([
      { row: 1, field: "favourite colour", problem: "unknown column; ignored" },
      { row: 3, field: "phone", problem: expect.stringContaining("is not a phone number") },
      { row: 4, field: "email", problem: "must be an email address" },
      { row: 4, field: "status", problem: expect.stringContaining("must be one of new, contacted") },
      { row: 4, field: "fields.size", problem: "must be one of: S, M, L" },
      { row: 4, field: "fields.floor", problem: "must be a number" },
      { row: 4, field: "fields.moving_date", problem: expect.stringContaining("must be a date") },
      { row: 4, field: "owner", problem: "no active user with the email who@example.com" },
      { row: 8, field: "name", problem: "a contact needs a name, a phone or an email" },
    ]);
    expect(r.body.rows.map((x: any) => [x.row, x.result])).toEqual([
      [2, "created"],
      [3, "failed"],
      [4, "failed"],
      [7, "created"],
      [8, "failed"],
    ]);
    const dana = (await h.json("owner", "GET", "/api/contacts?q=0501234567")).body.items[0];
    expect(dana).toMatchObject({ name: "דנה", source: "import", tags: ["vip"], fields: { size: "M", floor: 2, moving_date: "2025-12-31" } });
    expect((await h.json("owner", "GET", "/api/contacts?q=only@example.com")).body.items[0]).toMatchObject({ status: "won", ownerId: h.ids.agent });
    expect(count()).toBe(2);
    expect(h.sql("SELECT details FROM audit_log WHERE action = 'contact.import' ORDER BY id DESC LIMIT 1")).toEqual([{ details: expect.stringContaining('"created":2') }]);
  });

  test("a required custom field fails the rows without it", async () => {
    await h.json("owner", "PUT", "/api/settings/contact-fields", { fields: [{ ...FIELDS[0], required: true }, ...FIELDS.slice(1)] });
    try {
      const r = await importCsv("name,size\nWith,S\nWithout,\n");
      expect(r.body).toMatchObject({ created: 1, failed: 1, problems: [{ row: 3, field: "fields.size", problem: "is required" }] });
    } finally {
      await h.json("owner", "PUT", "/api/settings/contact-fields", { fields: FIELDS });
    }
  });

  test("dedupe by phone in any form — update (the default) fills in, adds tags, appends notes, never erases", async () => {
    await h.json("owner", "POST", "/api/contacts", { name: "Dana", phone: "+972501234567", email: "keep@example.com", tags: ["old"], notes: "first", fields: { size: "S" } });
    const r = await importCsv("phone,name,email,tags,notes,floor\n050-123-4567,Dana Cohen,,new,second,4\n+972 50 123 4567,,,newer,second,\n");
    expect(r.body).toMatchObject({ created: 0, updated: 2, skipped: 0, failed: 0 });
    const dana = (await h.json("owner", "GET", "/api/contacts")).body.items;
    expect(dana).toHaveLength(1);
    expect(dana[0]).toMatchObject({ name: "Dana Cohen", email: "keep@example.com", tags: ["old", "new", "newer"], notes: "first\nsecond", fields: { size: "S", floor: 4 } });
  });

  test("dedupe — skip leaves the existing contact untouched and says so per row, also for a repeat inside the file", async () => {
    const dana = (await h.json("owner", "POST", "/api/contacts", { name: "Dana", phone: "+972501234567" })).body;
    const r = await importCsv("phone,name\n0501234567,Other name\n052-000-1111,New\n0520001111,New again\n", "?onDuplicate=skip");
    expect(r.body).toMatchObject({ onDuplicate: "skip", created: 1, updated: 0, skipped: 2, failed: 0 });
    expect(r.body.problems).toEqual([
      { row: 2, field: "phone", problem: `a contact with this phone already exists (contact ${dana.id}); skipped` },
      { row: 4, field: "phone", problem: expect.stringContaining("skipped") },
    ]);
    expect((await h.json("owner", "GET", `/api/contacts/${dana.id}`)).body.name).toBe("Dana");
  });

  test("dryRun reports what would happen and writes nothing", async () => {
    const r = await importCsv("name,phone\nA,0501111111\nB,12\n", "?dryRun=true");
    expect(r.body).toMatchObject({ dryRun: true, created: 1, failed: 1 });
    expect(count()).toBe(0);
    expect(h.sql("SELECT count(*) AS n FROM contact_status_history")).toEqual([{ n: 0 }]);
  });

  test("Windows-1255 (Hebrew Excel's plain CSV), semicolons, a multipart upload", async () => {
    // "שם;טלפון\r\nשלום;0501234567\r\n" in the Windows Hebrew code page
    const hebrew = { ש: 0xf9, ם: 0xed, ל: 0xec, ו: 0xe5, ט: 0xe8, פ: 0xf4, ן: 0xef } as Record<string, number>;
    const enc = (s: string) => [...s].map((ch) => hebrew[ch] ?? ch.charCodeAt(0));
    const bytes = new Uint8Array([...enc("שם;טלפון\r\n"), ...enc("שלום;0501234567\r\n")]);
    const r = await importCsv(bytes);
    expect(r.body).toMatchObject({ created: 1, failed: 0 });
    expect((await h.json("owner", "GET", "/api/contacts")).body.items[0]).toMatchObject({ name: "שלום", phone: "+972501234567" });

    const form = new FormData();
    form.append("file", new Blob(["\uFEFFשם,אימייל\r\nרינה,rina@example.com\r\n"], { type: "text/csv" }), "contacts.csv");
    const res = await h.req("owner", "POST", "/api/contacts/import", form);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ created: 1 });
  });

  test("files that are not a usable CSV change nothing: 4xx naming file", async () => {
    await h.json("owner", "POST", "/api/contacts", { name: "Before" });
    const cases: Array<[string, Uint8Array | string, string, number]> = [
      ["an unclosed quote", 'name,phone\nA,0501111111\n"B,0502222222\n', "text/csv", 400],
      ["binary (a PNG)", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), "text/csv", 400],
      ["an empty file", "", "text/csv", 400],
      ["no usable header", "colour,size\nblue,L\n", "text/csv", 422],
      ["only a header", "\n\n", "text/csv", 400],
      ["JSON", '{"name":"x"}', "application/json", 400],
    ];
    for (const [what, body, type, status] of cases) {
      const res = await h.req("owner", "POST", "/api/contacts/import", typeof body === "string" ? new TextEncoder().encode(body) : body, { "content-type": type });
      const json = (await res.json()) as any;
      expect({ what, status: res.status, field: json.error?.field }).toEqual({ what, status, field: "file" });
      expect(json.error.message).toContain("nothing was imported");
    }
    expect(count()).toBe(1);
  });

  test("only owners and admins import; without a session 401", async () => {
    expect((await csvUpload("name\nx\n", "", "agent")).status).toBe(403);
    expect((await h.req("nobody", "POST", "/api/contacts/import", "name\nx\n", { "content-type": "text/csv" })).status).toBe(401);
    expect(count()).toBe(0);
  });

  test("two imports of the same numbers at once: one contact per number, every row accounted for", async () => {
    const file = ["name,phone", ...Array.from({ length: 50 }, (_, i) => `P${i},05${String(40000000 + i)}`)].join("\n");
    const [a, b] = await Promise.all([importCsv(file), importCsv(file)]);
    expect(a.body.created + b.body.created).toBe(50);
    expect(a.body.updated + b.body.updated).toBe(50);
    expect(count()).toBe(50);
  });
});
