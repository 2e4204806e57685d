/**
 * CSV as spreadsheets use it, with csv-parse / csv-stringify doing the quoting. Out: UTF-8 with a byte-order mark
 * (without it Excel reads UTF-8 as the local code page and Hebrew turns into gibberish), CRLF line ends, cells
 * that would run as a spreadsheet formula (`=…`, `@…`, `+cmd|…`) prefixed with `'` — a phone number like
 * `+972…` stays as it is. In: UTF-8 (with or without the mark) or Windows-1255 (what Hebrew Excel's plain "CSV"
 * saves), comma, semicolon or tab separated (read from the header line); a file that is not CSV is refused whole.
 */
import { parse, CsvError } from "csv-parse";
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

/** Bytes the parser takes between two pauses: ~10 ms of csv-parse's work on a loaded machine. */
const PARSE_CHUNK = 48 * 1024;

/**
 * Reads an uploaded file; anything that is not a CSV table with a header row is a `bad_request` naming `file`.
 * Parsed a chunk at a time with `pause()` (a turn of the event loop) between chunks: a 1 MB file is ~200 ms of
 * csv-parse, which must not hold up a live call's audio or the health probe.
 */
export async function readCsv(bytes: Uint8Array, pause: () => Promise<void> = nextTurn): Promise<CsvTable> {
  const bad = (why: string) => new AppError("bad_request", `file: ${why}; nothing was imported`, "file");
  if (bytes.length === 0) throw bad("the file is empty");
  if (bytes.subarray(0, 8192).includes(0)) throw bad("this is not a CSV file (it has binary content — save the spreadsheet as CSV UTF-8)");
  const text = decode(bytes);
  const firstLine = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/, 1)[0] ?? "";
  const delimiter = [",", ";", "\t"].map((d) => ({ d, n: firstLine.split(d).length })).sort((a, b) => b.n - a.n)[0]!.d;
  const records: string[][] = [];
  let failure: unknown;
  const parser = parse({ bom: true, delimiter, relax_quotes: true, relax_column_count: true, skip_empty_lines: false, trim: false });
  parser.on("data", (record: string[]) => records.push(record));
  parser.on("error", (err) => (failure ??= err));
  const ended = new Promise<void>((resolve) => parser.once("end", resolve).once("error", () => resolve()));
  const utf8 = Buffer.from(text);
  for (let at = 0; at < utf8.length && failure === undefined; at += PARSE_CHUNK) {
    // a chunk may end inside a multi-byte character or a quoted cell: the parser carries both over to the next
    parser.write(utf8.subarray(at, at + PARSE_CHUNK));
    await pause();
    if (records.length > MAX_IMPORT_ROWS + 1) throw bad(`too many rows (more than ${MAX_IMPORT_ROWS}; at most ${MAX_IMPORT_ROWS} per file)`);
  }
  if (failure === undefined) parser.end();
  else parser.destroy();
  await ended;
  if (failure !== undefined) {
    if (failure instanceof CsvError) throw bad(`not valid CSV (${failure.message})`);
    throw failure;
  }
  const [header, ...rows] = records;
  if (!header || header.every((h) => !h.trim())) throw bad("the first row must name the columns (e.g. name,phone,email)");
  if (rows.length > MAX_IMPORT_ROWS) throw bad(`too many rows (${rows.length}; at most ${MAX_IMPORT_ROWS} per file)`);
  return { header: header.map((h) => h.trim()), rows };
}

/** One turn of the event loop: timers, sockets and other requests run before the caller goes on. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // not UTF-8: Hebrew Excel's "CSV (Comma delimited)" writes the Windows Hebrew code page
    return new TextDecoder("windows-1255").decode(bytes);
  }
}
