/** CSV cells and files: formula neutralising, reading what spreadsheets write, refusing what is not CSV. */
import { expect, test } from "bun:test";
import { csvText, readCsv, safeCell, unguardCell } from "../../../src/crm/csv.ts";
import { AppError } from "../../../src/errors.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("formulas are neutralised, numbers and phone numbers are not, and the guard comes off on the way back in", () => {
  for (const [raw, out] of [
    ["=1+1", "'=1+1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ["-2+3+cmd|x", "'-2+3+cmd|x"],
    ["\t=x", "'\t=x"],
    ["+972501234567", "+972501234567"],
    ["-5000", "-5000"],
    ["+1 (415) 555-0100", "+1 (415) 555-0100"],
    ["שלום", "שלום"],
  ] as const) {
    expect(safeCell(raw)).toBe(out);
    expect(unguardCell(safeCell(raw))).toBe(raw);
  }
  expect(safeCell(null)).toBe("");
  expect(safeCell(3.5)).toBe("3.5");
});

test("quoting: commas, quotes and line breaks survive a round trip; rows end in CRLF", async () => {
  const text = csvText([["a,b", 'say "hi"', "line\nbreak", "cr\rlf"]]);
  expect(text.endsWith("\r\n")).toBe(true);
  expect((await readCsv(bytes(`h1,h2,h3,h4\r\n${text}`))).rows).toEqual([["a,b", 'say "hi"', "line\nbreak", "cr\rlf"]]);
});

test("reads UTF-8 with or without a BOM, semicolon- and tab-separated files, and keeps blank rows in place (row numbers stay right)", async () => {
  expect(await readCsv(bytes("\uFEFFשם,טלפון\nדנה,050\n"))).toEqual({ header: ["שם", "טלפון"], rows: [["דנה", "050"]] });
  expect((await readCsv(bytes("a;b\n1;2,5\n"))).rows).toEqual([["1", "2,5"]]);
  expect((await readCsv(bytes("a\tb\n1\t2\n"))).rows).toEqual([["1", "2"]]);
  expect((await readCsv(bytes("a,b\n\n1,2\n"))).rows).toEqual([[""], ["1", "2"]]);
  // a stray quote inside a cell is read as text
  expect((await readCsv(bytes('a,b\n5" pipe,2\n'))).rows).toEqual([['5" pipe', "2"]]);
});

test("refuses what is not a CSV table, naming the file", async () => {
  for (const bad of ["", 'a,b\n"unclosed,1\n', "\n\n"].map(bytes).concat([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0])])) {
    let err: unknown;
    try {
      await readCsv(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "bad_request", field: "file" });
  }
});
