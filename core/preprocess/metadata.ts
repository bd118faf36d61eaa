/**
 * Case metadata from table cells (BIDS `participants.tsv`, manifest columns): numbers become numbers so that
 * they can be binned, BIDS's missing value `n/a` and empty cells are left out, anything else is kept as text.
 * @module
 */
import type { CaseMetadata } from "../dataset.ts";

/**
 * A table cell as a metadata value: undefined for "" and "n/a", a number for a decimal number (e.g. "52",
 * "-1.5e3"), else the trimmed text.
 *
 * @example
 * ```ts
 * import { metadataValue } from "./metadata.ts";
 * console.assert(metadataValue(" 52 ") === 52 && metadataValue("F") === "F" && metadataValue("n/a") === undefined);
 * console.assert(metadataValue("0x10") === "0x10", "only decimal numbers are numbers");
 * ```
 */
export function metadataValue(cell: string): string | number | undefined {
  const t = cell.trim();
  if (t === "" || t === "n/a") return undefined;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : t;
}

/**
 * Metadata from named cells (`[column, cell]` pairs), leaving out missing values; undefined when none is left.
 *
 * @example
 * ```ts
 * import { metadataFromCells } from "./metadata.ts";
 * const m = metadataFromCells([["age", "61"], ["sex", "M"], ["site", "n/a"]]);
 * console.assert(m!.age === 61 && m!.sex === "M" && !("site" in m!));
 * ```
 */
export function metadataFromCells(cells: ReadonlyArray<readonly [string, string]>): CaseMetadata | undefined {
  const out: Record<string, string | number> = {};
  for (const [key, cell] of cells) {
    const value = metadataValue(cell);
    if (value !== undefined) out[key] = value;
  }
  return Object.keys(out).length ? out : undefined;
}
