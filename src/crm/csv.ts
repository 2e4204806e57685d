/**
 * CSV as spreadsheets use it, with csv-parse / csv-stringify doing the quoting. Out: UTF-8 with a byte-order mark
 * (without it Excel reads UTF-8 as the local code page and Hebrew turns into gibberish), CRLF line ends, cells
 * that would run as a spreadsheet formula (`=…`, `@…`, `+cmd|…`) prefixed with `'` — a phone number like
 * `+972…` stays as it is. In: UTF-8 (with or without the mark) or Windows-1255 (what Hebrew Excel's plain "CSV"
 * saves), comma, semicolon or tab separated (read from the header line); a file that is not CSV is refused whole.
 */
import { parse, CsvError } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { AppError } from "../errors.ts";

export const CSV_BOM = "\uFEFF";
export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";
/** Rows an import takes at most (the request body limit comes first for wide files). */
export const MAX_IMPORT_ROWS = 20_000;

const FORMULA_START = /^[=@\t\r]/;
const SIGNED_START = /^[+-]/;
const NUMBER_LIKE = /^[+-]?[\d\s().,-]*$/;

/** A cell's text, neutralised when a spreadsheet would run it as a formula. */
export function safeCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s = typeof value === "string" ? value : String(value);
  return FORMULA_START.test(s) || (SIGNED_START.test(s) && !NUMBER_LIKE.test(s)) ? `'${s}` : s;
}

/** The inverse of safeCell for a cell read back from a file. */
export function unguardCell(cell: string): string {
  return /^'[=@+\-\t\r]/.test(cell) ? cell.slice(1) : cell;
}

/** Rows as CSV text (CRLF), every cell made safe; cells with a line break are quoted whatever the record delimiter. */
export function csvText(rows: unknown[][]): string {
  return stringify(
    rows.map((r) => r.map(safeCell)),
    { record_delimiter: "windows", quoted_match: [/[\r\n]/] },
  );
}

/** A streamed CSV file: the BOM and header, then `rows` pulled lazily, ~`batch` rows per chunk. */
export function csvStream(header: string[], rows: Iterator<unknown[]>, batch = 200): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let first = true;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk: unknown[][] = first ? [header] : [];
      let done = false;
      while (chunk.length < batch) {
        const next = rows.next();
        if (next.done) {
          done = true;
          break;
        }
        chunk.push(next.value);
      }
      const text = (first ? CSV_BOM : "") + (chunk.length ? csvText(chunk) : "");
      first = false;
      if (text) controller.enqueue(encoder.encode(text));
      if (done) controller.close();
    },
    cancel() {
      rows.return?.(undefined);
    },
  });
}

/** Headers for a CSV download named `name` (e.g. contacts-2025-03-01.csv). */
export function csvHeaders(name: string): Record<string, string> {
  return { "content-type": CSV_CONTENT_TYPE, "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store" };
}

export interface CsvTable {
  header: string[];
  /** Data rows, in file order; rows[i] is spreadsheet row i + 2 (the header is row 1). */
  rows: string[][];
}

/** Reads an uploaded file; anything that is not a CSV table with a header row is a `bad_request` naming `file`. */
export function readCsv(bytes: Uint8Array): CsvTable {
  const bad = (why: string) => new AppError("bad_request", `file: ${why}; nothing was imported`, "file");
  if (bytes.length === 0) throw bad("the file is empty");
  if (bytes.subarray(0, 8192).includes(0)) throw bad("this is not a CSV file (it has binary content — save the spreadsheet as CSV UTF-8)");
  const text = decode(bytes);
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/, 1)[0] ?? "";
  const delimiter = [",", ";", "\t"].map((d) => ({ d, n: firstLine.split(d).length })).sort((a, b) => b.n - a.n)[0]!.d;
  let records: string[][];
  try {
    records = parse(text, { bom: true, delimiter, relax_quotes: true, relax_column_count: true, skip_empty_lines: false, trim: false }) as string[][];
  } catch (err) {
    if (err instanceof CsvError) throw bad(`not valid CSV (${err.message})`);
    throw err;
  }
  const [header, ...rows] = records;
  if (!header || header.every((h) => !h.trim())) throw bad("the first row must name the columns (e.g. name,phone,email)");
  if (rows.length > MAX_IMPORT_ROWS) throw bad(`too many rows (${rows.length}; at most ${MAX_IMPORT_ROWS} per file)`);
  return { header: header.map((h) => h.trim()), rows };
}

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // not UTF-8: Hebrew Excel's "CSV (Comma delimited)" writes the Windows Hebrew code page
    return new TextDecoder("windows-1255").decode(bytes);
  }
}
