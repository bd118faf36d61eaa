/**
 * The BIDS tables a dataset reads besides images: `participants.tsv` (one row per subject, any columns: its
 * metadata), `sub-<label>/sub-<label>_sessions.tsv` (one row per session) and a split table. TSV as BIDS
 * writes it (tab-separated, a header row, `n/a` for a missing value); a split table named `.csv` is read as
 * CSV. Errors name the file and the line.
 * @module
 */
import { join } from "node:path";
import type { AnySplit, CaseMetadata } from "../../core/dataset.ts";
import { parseCsv } from "../../core/csv.ts";
import { metadataFromCells } from "../../core/preprocess/metadata.ts";

/** A table: its header and rows (cells by column name), with the line of each row. */
export interface Table {
  /** The file. */
  readonly file: string;
  /** Column names. */
  readonly header: readonly string[];
  /** Data rows. */
  readonly rows: ReadonlyArray<{ readonly line: number; readonly cells: Readonly<Record<string, string>> }>;
}

/** Reads a TSV (or, named `.csv`, a CSV) table; undefined when the file does not exist. */
export async function readTable(file: string): Promise<Table | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new Error(`${file}: cannot be read (${(e as Error).message})`);
  }
  const lines = file.endsWith(".csv")
    ? parseCsv(text, file).map((r) => ({ line: r.line, fields: r.fields }))
    : text.replace(/^\ufeff/, "").split("\n").map((l, i) => ({
      line: i + 1,
      fields: l.replace(/\r$/, "").split("\t"),
    }))
      .filter((r) => r.fields.some((f) => f.trim() !== ""));
  const header = lines[0]?.fields.map((h) => h.trim());
  if (!header) throw new Error(`${file}: empty table (it needs a header row)`);
  const twice = header.find((h, i) => header.indexOf(h) < i);
  if (twice !== undefined) throw new Error(`${file}: column '${twice}' appears twice in the header`);
  const rows = lines.slice(1).map(({ line, fields }) => {
    if (fields.length !== header.length) {
      throw new Error(
        `${file}: line ${line} has ${fields.length} cells, the header has ${header.length}` +
          (file.endsWith(".csv") ? "" : " (BIDS tables separate cells by tabs)"),
      );
    }
    return { line, cells: Object.fromEntries(header.map((h, i) => [h, fields[i]!.trim()])) };
  });
  return { file, header, rows };
}

/** Throws unless `table` has `column`. */
export function requireColumn(table: Table, column: string, why: string): void {
  if (!table.header.includes(column)) {
    throw new Error(`${table.file}: no column '${column}' (${why}; columns: ${table.header.join(", ")})`);
  }
}

/** A participant id as a subject folder name: `sub-01` (a bare `01` is accepted). */
function subjectOf(cell: string, table: Table, line: number): string {
  const id = cell.startsWith("sub-") ? cell : `sub-${cell}`;
  if (!/^sub-[A-Za-z0-9]+$/.test(id)) {
    throw new Error(`${table.file}: line ${line}: participant_id '${cell}' is not sub-<label>`);
  }
  return id;
}

/** Rows keyed by subject (`participant_id`), and by session (`session_id`) where the table has that column. */
export function keyedRows(
  table: Table,
): Map<string, { line: number; cells: Readonly<Record<string, string>> }> {
  requireColumn(table, "participant_id", "BIDS tables name subjects in participant_id");
  const bySession = table.header.includes("session_id");
  const out = new Map<string, { line: number; cells: Readonly<Record<string, string>> }>();
  for (const row of table.rows) {
    const subject = subjectOf(row.cells.participant_id!, table, row.line);
    const cell = bySession ? row.cells.session_id! : "";
    const session = cell && cell !== "n/a" ? cell.replace(/^ses-/, "") : undefined;
    const key = session ? `${subject}_ses-${session}` : subject;
    const earlier = out.get(key);
    if (earlier) throw new Error(`${table.file}: lines ${earlier.line} and ${row.line} are both ${key}`);
    out.set(key, row);
  }
  return out;
}

/** The metadata of a row: every column but the ones named in `skip`. */
export function rowMetadata(
  cells: Readonly<Record<string, string>>,
  skip: readonly string[],
): CaseMetadata | undefined {
  return metadataFromCells(Object.entries(cells).filter(([k]) => !skip.includes(k)));
}

/** `participants.tsv` of the dataset at `root`, keyed by subject; undefined when the dataset has none. */
export async function readParticipants(root: string) {
  const table = await readTable(join(root, "participants.tsv"));
  if (!table) return undefined;
  return { table, rows: keyedRows(table) };
}

/** `sub-<label>/sub-<label>_sessions.tsv`, keyed by session label; undefined without one. */
export async function readSessions(root: string, subject: string) {
  const table = await readTable(join(root, subject, `${subject}_sessions.tsv`));
  if (!table) return undefined;
  requireColumn(table, "session_id", "a sessions table names sessions in session_id");
  const rows = new Map<string, { line: number; cells: Readonly<Record<string, string>> }>();
  for (const row of table.rows) rows.set(row.cells.session_id!.replace(/^ses-/, ""), row);
  return { table, rows };
}

/** A split table's word for a split, or "none" (the scan is left out). */
export type SplitWord = AnySplit | "none";

const WORDS: readonly SplitWord[] = ["train", "validation", "test", "labelled", "none"];

/** The split a table's cell names; throws naming the file, line and the words it accepts. */
export function splitWord(cell: string, table: Table, line: number, column: string): SplitWord {
  if (!(WORDS as readonly string[]).includes(cell)) {
    throw new Error(
      `${table.file}: line ${line}: ${column} '${cell}' is not a split (use ${WORDS.join(", ")})`,
    );
  }
  return cell as SplitWord;
}
