/**
 * Import of contacts from a CSV file, with a report per row.
 *
 * Rules: a row is imported whole or not at all (every problem of a failed row is reported with its field); rows are
 * deduplicated by phone number in any written form, against the CRM and earlier rows of the same file —
 * `onDuplicate: "update"` (the default) fills the existing contact with the row's non-empty cells (tags are added,
 * notes appended, an empty cell never erases anything), `"skip"` leaves it untouched and reports the row as skipped.
 * The file goes in whole or not at all: a file that cannot be read changes nothing, and `dryRun` reports without
 * writing.
 *
 * How, without stopping the server (a 20,000-row file is seconds of work; the event loop also carries live calls'
 * audio and the health probe): the file is parsed, validated and planned in slices of ~10 ms with a turn of the
 * event loop between them (reads through statements prepared once); the plan is staged in temporary tables, also in
 * slices; then one short transaction checks that nothing the plan relied on changed meanwhile and applies it with
 * set-based INSERT…SELECT / UPDATE…FROM. If something changed (a call created a contact with a number in the file,
 * someone edited a contact the file updates), the file is planned again. Imports run one at a time.
 */
import type { Db } from "../db/client.ts";
import { users } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { checkFieldValues, missingRequired, withoutEmpty, type FieldDefinition, type FieldProblem } from "./contact-fields.ts";
import { commitPlan, ContactReader, type PlannedContact, type PlannedState } from "./contact-import-commit.ts";
import { contactPatchSchema, type ContactPatch } from "./contact-input.ts";
import { mapHeader } from "./contact-csv.ts";
import type { ContactService } from "./contacts.ts";
import { nextTurn, readCsv, unguardCell } from "./csv.ts";
import { seesEverything, type Scope } from "./scope.ts";

export interface ImportProblem {
  /** The spreadsheet row (the header is row 1). */
  row: number;
  /** The property at fault (`phone`, `fields.size`), or `row` for the row as a whole. */
  field: string;
  problem: string;
}

export interface ImportReport {
  onDuplicate: "update" | "skip";
  dryRun: boolean;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  problems: ImportProblem[];
  rows: Array<{ row: number; result: "created" | "updated" | "skipped" | "failed"; contactId?: number }>;
}

export interface ImportOptions {
  onDuplicate: "update" | "skip";
  dryRun: boolean;
  actor: Scope;
}

/** Work done between two turns of the event loop (ms). */
const SLICE_MS = 10;
/** How often a file is planned again when the contacts it touches keep changing under it. */
const MAX_ATTEMPTS = 3;

/** Runs `work` in slices: `tick()` gives the event loop a turn once a slice has lasted SLICE_MS. */
export class Slicer {
  private since = performance.now();
  async tick(): Promise<void> {
    if (performance.now() - this.since < SLICE_MS) return;
    await nextTurn();
    this.since = performance.now();
  }
}

/** One import at a time per database: a second file is planned against what the first one wrote. */
const running = new WeakMap<Db, Promise<unknown>>();

export function importContacts(db: Db, contacts: ContactService, bytes: Uint8Array, o: ImportOptions): Promise<ImportReport> {
  if (!seesEverything(o.actor)) throw new AppError("forbidden", "only owners and admins import contacts");
  const before = running.get(db) ?? Promise.resolve();
  const mine = before.then(
    () => runImport(db, contacts.fieldDefinitions(), bytes, o),
    () => runImport(db, contacts.fieldDefinitions(), bytes, o),
  );
  running.set(db, mine.catch(() => {}));
  return mine;
}

async function runImport(db: Db, defs: FieldDefinition[], bytes: Uint8Array, o: ImportOptions): Promise<ImportReport> {
  const slicer = new Slicer();
  const { header, rows } = await readCsv(bytes, nextTurn);
  const headerProblems: ImportProblem[] = [];
  const mapping = mapHeader(header, defs, headerProblems);
  const validated = await validateRows(db, defs, header.length, mapping, rows, slicer);
  for (let attempt = 1; ; attempt++) {
    const plan = await planRows(db, defs, validated, o, slicer);
    if (o.dryRun) return reportOf(plan, headerProblems, o, undefined);
    const ids = await commitPlan(db, plan.contacts, o.actor.userId, slicer);
    if (ids) return reportOf(plan, headerProblems, o, ids);
    if (attempt === MAX_ATTEMPTS)
      throw new AppError("conflict", "file: the contacts this file touches kept changing while it was imported (calls, messages or edits to the same numbers); nothing was imported — try again", "file");
  }
}

/** A row after the checks that do not depend on the CRM's contents: its problems, or what it asks for. */
type ValidRow = { row: number; problems: ImportProblem[]; input?: ContactPatch };

async function validateRows(db: Db, defs: FieldDefinition[], columns: number, mapping: ReturnType<typeof mapHeader>, rows: string[][], slicer: Slicer): Promise<ValidRow[]> {
  const ownerIds = new Map(db.select({ id: users.id, email: users.email, active: users.active }).from(users).all().filter((u) => u.active).map((u) => [u.email.toLowerCase(), u.id]));
  const out: ValidRow[] = [];
  for (let i = 0; i < rows.length; i++) {
    await slicer.tick();
    const cells = rows[i]!;
    const row = i + 2;
    if (cells.every((c) => !c.trim())) continue;
    const problems: ImportProblem[] = [];
    const fail = (field: string, problem: string) => problems.push({ row, field, problem });
    if (cells.length > columns && cells.slice(columns).some((c) => c.trim())) fail("row", `has ${cells.length} cells but the header has ${columns} columns`);

    const raw: Record<string, unknown> = {};
    const fieldCells: Record<string, string> = {};
    let owner: string | undefined;
    mapping.forEach((target, col) => {
      const cell = unguardCell((cells[col] ?? "").trim());
      if (!target || !cell) return;
      if (target.kind === "field") fieldCells[target.key] = cell;
      else if (target.key === "tags") raw.tags = cell.split(/[,;]/).map((t) => t.trim()).filter(Boolean);
      else if (target.key === "owner") owner = cell;
      else raw[target.key] = cell;
    });
    const parsed = contactPatchSchema.safeParse(raw);
    if (!parsed.success) for (const issue of parsed.error.issues) fail(String(issue.path[0] ?? "row"), issue.message);
    const checked = checkFieldValues(defs, fieldCells, { fromText: true });
    for (const p of checked.problems) fail(p.field, p.problem);
    let ownerId: number | undefined;
    if (owner) {
      ownerId = ownerIds.get(owner.toLowerCase());
      if (!ownerId) fail("owner", `no active user with the email ${owner}`);
    }
    if (problems.length || !parsed.success) out.push({ row, problems });
    else out.push({ row, problems, input: { ...parsed.data, ...(ownerId ? { ownerId } : {}), ...(Object.keys(checked.values).length ? { fields: checked.values } : {}) } });
  }
  return out;
}

type RowOutcome = { row: number; result: "created" | "updated" | "skipped" | "failed"; target?: PlannedContact; problems: ImportProblem[] };
interface Plan {
  contacts: PlannedContact[];
  outcomes: RowOutcome[];
}

/** What each row does to the CRM as it is now: which contact it creates or fills, or why it fails. */
async function planRows(db: Db, defs: FieldDefinition[], rows: ValidRow[], o: ImportOptions, slicer: Slicer): Promise<Plan> {
  const reader = new ContactReader(db);
  const byPhone = new Map<string, PlannedContact>();
  const byId = new Map<number, PlannedContact>();
  const plan: Plan = { contacts: [], outcomes: [] };
  for (const r of rows) {
    await slicer.tick();
    const input = r.input;
    if (!input) {
      plan.outcomes.push({ row: r.row, result: "failed", problems: r.problems });
      continue;
    }
    const phone = input.phone ?? undefined;
    let target = phone ? byPhone.get(phone) : undefined;
    if (!target && phone) {
      const found = reader.byPhone(phone);
      if (found) {
        target = byId.get(found.existingId!) ?? found;
        if (target === found) {
          found.ref = plan.contacts.length + 1;
          plan.contacts.push(found);
          byId.set(found.existingId!, found);
        }
        byPhone.set(phone, target);
      }
    }
    const failRow = (p: FieldProblem) => plan.outcomes.push({ row: r.row, result: "failed", problems: [{ row: r.row, field: p.field, problem: p.problem }] });

    if (!target) {
      if (!input.name && !input.email && !input.phone) {
        failRow({ field: "name", problem: "a contact needs a name, a phone or an email" });
        continue;
      }
      const fields = withoutEmpty(input.fields ?? {});
      const missing = missingRequired(defs, fields)[0];
      if (missing) {
        failRow(missing);
        continue;
      }
      const status = input.status ?? "new";
      const created: PlannedContact = {
        ref: plan.contacts.length + 1,
        firstRow: r.row,
        state: { ...textOf(input, emptyText()), phone: phone ?? null, status, source: input.source ?? "import", ownerId: input.ownerId ?? null, tags: input.tags ?? [], fields },
        history: [{ from: null, to: status }],
      };
      plan.contacts.push(created);
      if (phone) byPhone.set(phone, created);
      plan.outcomes.push({ row: r.row, result: "created", target: created, problems: [] });
    } else if (o.onDuplicate === "skip") {
      plan.outcomes.push({ row: r.row, result: "skipped", target, problems: [] });
    } else {
      const next = applyRow(defs, target.state, input);
      if ("problem" in next) {
        failRow(next.problem);
        continue;
      }
      if (next.state.status !== target.state.status) target.history.push({ from: target.state.status, to: next.state.status });
      target.state = next.state;
      plan.outcomes.push({ row: r.row, result: "updated", target, problems: [] });
    }
  }
  return plan;
}

/** An update row on a contact's planned state: only its non-empty cells; tags are added and notes appended. */
function applyRow(defs: FieldDefinition[], current: PlannedState, row: ContactPatch): { state: PlannedState } | { problem: FieldProblem } {
  const state: PlannedState = { ...textOf(row, current), phone: current.phone, status: row.status ?? current.status, source: row.source ?? current.source, ownerId: row.ownerId ?? current.ownerId, tags: current.tags, fields: current.fields, notes: current.notes };
  if (row.tags) state.tags = [...new Set([...current.tags, ...row.tags])];
  if (row.notes && !current.notes?.includes(row.notes)) state.notes = current.notes ? `${current.notes}\n${row.notes}` : row.notes;
  if (row.fields) {
    const checked = checkFieldValues(defs, row.fields);
    const merged = withoutEmpty({ ...current.fields, ...checked.values });
    const problem = [...checked.problems, ...missingRequired(defs, merged)][0];
    if (problem) return { problem };
    state.fields = merged;
  }
  return { state };
}

const TEXT_KEYS = ["name", "email", "need", "area", "budget", "notes"] as const;
type Texts = Record<(typeof TEXT_KEYS)[number], string | null>;
const emptyText = (): Texts => ({ name: null, email: null, need: null, area: null, budget: null, notes: null });

/** The row's texts over `base` (a cell the row leaves empty keeps what `base` has). */
function textOf(row: ContactPatch, base: Texts): Texts {
  const out = { ...emptyText() };
  for (const key of TEXT_KEYS) out[key] = row[key] ?? base[key] ?? null;
  return out;
}

/** The report, with each contact's id once it has one (`ids`: ref → contact id; none for a dry run's new contacts). */
function reportOf(plan: Plan, headerProblems: ImportProblem[], o: ImportOptions, ids: Map<number, number> | undefined): ImportReport {
  const report: ImportReport = { onDuplicate: o.onDuplicate, dryRun: o.dryRun, created: 0, updated: 0, skipped: 0, failed: 0, problems: [...headerProblems], rows: [] };
  const idOf = (c: PlannedContact) => c.existingId ?? ids?.get(c.ref);
  for (const out of plan.outcomes) {
    report[out.result]++;
    const contactId = out.target ? idOf(out.target) : undefined;
    if (out.result === "skipped") {
      const which = contactId !== undefined ? `contact ${contactId}` : `row ${out.target!.firstRow} of this file`;
      report.problems.push({ row: out.row, field: "phone", problem: `a contact with this phone already exists (${which}); skipped` });
    }
    report.problems.push(...out.problems);
    report.rows.push({ row: out.row, result: out.result, ...(contactId !== undefined ? { contactId } : {}) });
  }
  return report;
}
