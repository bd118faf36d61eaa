/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF; a field in double quotes may
 * hold commas, line breaks and doubled quotes (`""` is one quote). A leading byte-order mark is skipped.
 * @module
 */

/** One record and the line it starts on (1-based), for messages. */
export interface CsvRow {
  readonly fields: string[];
  readonly line: number;
}

/**
 * Parses CSV text into rows (blank lines skipped). Throws `<source>: line N: <problem> (<what to do>)` for a
 * quote that is never closed, text after a closing quote, or a quote inside an unquoted field.
 *
 * @example
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * const rows = parseCsv('id,path\na,"scans/a, b.nii"\n', "m.csv");
 * console.assert(rows[1]!.fields[1] === "scans/a, b.nii");
 * ```
 */
export function parseCsv(text: string, source: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const fail = (line: number, what: string) =>
    new Error(
      `${source}: line ${line}: ${what} (quote a field that holds commas or quotes, doubling its quotes)`,
    );
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        const opened = line;
        for (i++;; i++) {
          if (i >= text.length) throw fail(opened, "a quoted field is never closed");
          if (text[i] === '"') {
            if (text[i + 1] !== '"') break;
            i++;
          } else if (text[i] === "\n") line++;
          field += text[i];
        }
        i++;
        if (i < text.length && !",\r\n".includes(text[i]!)) throw fail(line, "text after a closing quote");
      } else {
        while (i < text.length && !",\r\n".includes(text[i]!)) {
          if (text[i] === '"') throw fail(line, "a quote inside an unquoted field");
          field += text[i++];
        }
      }
      fields.push(field);
      if (text[i] !== ",") break;
      i++;
    }
    if (text[i] === "\r") i++;
    if (text[i] === "\n") i++;
    line++;
    if (fields.length > 1 || fields[0]!.trim() !== "") rows.push({ fields, line: start });
  }
  return rows;
}
