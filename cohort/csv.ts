/**
 * A small RFC 4180 CSV parser: quoted fields may hold commas, doubled quotes and
 * line breaks; records end at CRLF, LF or CR.
 * @module
 */

import { InputError } from "./errors.ts";

/** One CSV record with the 1-based physical line on which it starts. */
export interface CsvRecord {
  /** Field values, unquoted. */
  fields: string[];
  /** Line number (1-based) where the record begins in the file. */
  line: number;
}

/**
 * Parses CSV text into records. A leading byte-order mark is ignored, and a final
 * line break does not create an empty record. Fully blank lines are skipped.
 * Throws an {@link InputError} naming `source` and the line for an unterminated
 * quote or a quote in the middle of an unquoted field.
 *
 * @example
 * ```ts
 * const recs = parseCsv('id,text\n1,"a, ""b""\nc"\n', "r.csv");
 * // recs[1].fields -> ["1", 'a, "b"\nc']
 * ```
 */
export function parseCsv(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;

  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      let value = "";
      if (text[i] === '"') {
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) throw new InputError(`${source}: line ${quoteLine}: quoted field is never closed`);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === "\n" || (c === "\r" && text[i + 1] !== "\n")) line++;
          value += c;
          i++;
        }
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
          throw new InputError(`${source}: line ${line}: unexpected text after closing quote`);
        }
      } else {
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          if (text[i] === '"') {
            throw new InputError(
              `${source}: line ${line}: quote inside an unquoted field (quote the whole field and double the quote)`,
            );
          }
          value += text[i];
          i++;
        }
      }
      fields.push(value);
      if (text[i] === ",") {
        i++;
      } else {
        // End of line or end of text ends the record.
        if (text[i] === "\r") i++;
        if (text[i] === "\n") i++;
        if (i <= n) line++;
        endOfRecord = true;
      }
    }
    const blank = fields.length === 1 && fields[0] === "";
    if (!blank) records.push({ fields, line: startLine });
  }
  return records;
}
