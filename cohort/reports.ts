/**
 * Reads radiology reports from CSV or JSONL and validates every row with valibot.
 * @module
 */

import * as v from "valibot";
import { parseCsv } from "./csv.ts";
import { InputError, readTextInput } from "./errors.ts";

/** One validated report row. */
export interface ReportRow {
  /** Scan identifier, unique within the file. */
  scanId: string;
  /** Patient identifier (several scans may share one). */
  patientId: string;
  /** Free-text report. */
  report: string;
  /** Optional ISO 8601 date (YYYY-MM-DD) of the scan. */
  date?: string;
  /** Optional image path from the column named by `imagesColumn`. */
  image?: string;
  /** Where the row came from, e.g. `row 3 (line 5)`, for messages. */
  where: string;
}

/** Options for {@link readReports}. */
export interface ReadReportsOptions {
  /** Name of a column/key holding an image path per scan. */
  imagesColumn?: string;
}

/** Required columns (CSV header names or JSONL keys). */
export const REQUIRED_COLUMNS = ["scan_id", "patient_id", "report"] as const;

const text = v.pipe(
  v.union([v.string(), v.pipe(v.number(), v.transform(String))], "must be a string"),
  v.trim(),
  v.minLength(1, "must not be empty"),
);

// isoDate checks the shape only; this rejects dates such as 2020-02-30.
function isCalendarDate(d: string): boolean {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}

/** Valibot schema of one raw row (after blank optional values are dropped). */
export const ReportRowSchema = v.object({
  scan_id: text,
  patient_id: text,
  report: text,
  date: v.optional(
    v.pipe(
      v.string("must be a string"),
      v.trim(),
      v.isoDate("must be a date written YYYY-MM-DD"),
      v.check(isCalendarDate, "is not a real calendar date"),
    ),
  ),
});

const imageSchema = v.optional(v.pipe(v.string("must be a string"), v.trim()));

function fail(source: string, where: string, issue: v.BaseIssue<unknown>): never {
  const field = issue.path?.map((p) => String(p.key)).join(".") ?? "(row)";
  throw new InputError(`${source}: ${where}, field "${field}": ${issue.message}`);
}

function validate(
  raw: Record<string, unknown>,
  source: string,
  where: string,
  imagesColumn: string | undefined,
): ReportRow {
  // An empty optional cell means "absent", not "invalid".
  const input = { ...raw };
  if (input.date === "" || input.date === null) delete input.date;
  const parsed = v.safeParse(ReportRowSchema, input);
  if (!parsed.success) fail(source, where, parsed.issues[0]);
  const row: ReportRow = {
    scanId: parsed.output.scan_id,
    patientId: parsed.output.patient_id,
    report: parsed.output.report,
    where,
  };
  if (parsed.output.date !== undefined) row.date = parsed.output.date;
  if (imagesColumn !== undefined) {
    const img = v.safeParse(imageSchema, raw[imagesColumn] ?? undefined);
    if (!img.success) {
      throw new InputError(`${source}: ${where}, field "${imagesColumn}": ${img.issues[0].message}`);
    }
    if (img.output) row.image = img.output;
  }
  return row;
}

function fromCsv(textIn: string, source: string, imagesColumn: string | undefined): ReportRow[] {
  const records = parseCsv(textIn, source);
  const header = records[0];
  if (!header) throw new InputError(`${source}: file is empty (expected a header row)`);
  const names = header.fields.map((f) => f.trim());
  const wanted = [...REQUIRED_COLUMNS, ...(imagesColumn ? [imagesColumn] : [])];
  for (const col of wanted) {
    if (!names.includes(col)) {
      throw new InputError(`${source}: header lacks column "${col}" (found: ${names.join(", ")})`);
    }
  }
  return records.slice(1).map((rec, k) => {
    const where = `row ${k + 1} (line ${rec.line})`;
    if (rec.fields.length !== names.length) {
      throw new InputError(
        `${source}: ${where}: has ${rec.fields.length} fields but the header has ${names.length}`,
      );
    }
    const raw: Record<string, unknown> = {};
    names.forEach((name, j) => raw[name] = rec.fields[j]);
    return validate(raw, source, where, imagesColumn);
  });
}

function fromJsonl(textIn: string, source: string, imagesColumn: string | undefined): ReportRow[] {
  const rows: ReportRow[] = [];
  const lines = textIn.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((lineText, k) => {
    if (lineText.trim() === "") return;
    const where = `row ${rows.length + 1} (line ${k + 1})`;
    let raw: unknown;
    try {
      raw = JSON.parse(lineText);
    } catch (err) {
      throw new InputError(`${source}: ${where}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new InputError(`${source}: ${where}: expected a JSON object`);
    }
    rows.push(validate(raw as Record<string, unknown>, source, where, imagesColumn));
  });
  return rows;
}

function checkUnique(rows: ReportRow[], source: string): void {
  const seen = new Map<string, string>();
  for (const row of rows) {
    const first = seen.get(row.scanId);
    if (first !== undefined) {
      throw new InputError(
        `${source}: ${row.where}, field "scan_id": "${row.scanId}" repeats the scan of ${first}`,
      );
    }
    seen.set(row.scanId, row.where);
  }
}

/**
 * Parses report text. The format comes from the file name (`.csv`, or `.jsonl` /
 * `.ndjson`); other names are sniffed (a first character `{` means JSONL).
 *
 * @example
 * ```ts
 * const rows = parseReports("scan_id,patient_id,report\ns1,p1,No haemorrhage.\n", "r.csv");
 * // rows[0].scanId -> "s1"
 * ```
 */
export function parseReports(textIn: string, source: string, opts: ReadReportsOptions = {}): ReportRow[] {
  const lower = source.toLowerCase();
  const jsonl = lower.endsWith(".jsonl") || lower.endsWith(".ndjson") ||
    (!lower.endsWith(".csv") && textIn.replace(/^\uFEFF/, "").trimStart().startsWith("{"));
  const rows = jsonl
    ? fromJsonl(textIn, source, opts.imagesColumn)
    : fromCsv(textIn, source, opts.imagesColumn);
  checkUnique(rows, source);
  return rows;
}

/**
 * Reads and validates a reports file (CSV with a header row, or JSONL).
 *
 * @example
 * ```ts
 * const rows = await readReports("reports.csv", { imagesColumn: "ct_path" });
 * ```
 */
export async function readReports(path: string, opts: ReadReportsOptions = {}): Promise<ReportRow[]> {
  return parseReports(await readTextInput(path, "reports file"), path, opts);
}
