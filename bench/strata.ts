/**
 * Strata of a grid's test cases, as a grid names them: `"site"` (one group per value of the case metadata
 * `site`) or `"age:<40,40-65,>65"` (numeric bins of `age`). `lesionVolume` is each case's lesion volume in ml,
 * measured on its ground truth by the runner (bins may carry the unit: `lesionVolume:<1ml,1-10ml,>10ml`);
 * every other key is read from the case's metadata. Bins: `<x`, `<=x`, `>x`, `>=x` and `a-b` (a ≤ value ≤ b);
 * they must not overlap. A case without a value is in group "n/a", a value in no bin (or not a number) in
 * "other", so no case drops out of a stratum unseen; by lesion volume, healthy cases form "no lesion".
 * @module
 */
import type { CaseResult } from "../core/mod.ts";

/** The stratum key computed by the runner: a case's lesion volume in ml. */
export const LESION_VOLUME = "lesionVolume";

/** One numeric bin: an interval with open or closed ends. */
export interface Bin {
  /** As written, e.g. "40-65" or "<1ml". */
  readonly label: string;
  readonly lo: number;
  readonly loClosed: boolean;
  readonly hi: number;
  readonly hiClosed: boolean;
}

/** A parsed stratum. */
export interface Stratum {
  /** As the grid writes it. */
  readonly text: string;
  /** The metadata key (or {@linkcode LESION_VOLUME}). */
  readonly key: string;
  /** Numeric bins, in the order given; absent: one group per value. */
  readonly bins?: readonly Bin[];
}

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;

/** Parses one bin; `unit` is the only suffix a number may carry ("" for none). */
function parseBin(text: string, unit: string): Bin | undefined {
  const u = unit ? `(?:${unit})?` : "";
  const one = new RegExp(`^(<=|>=|<|>)${NUMBER}${u}$`).exec(text);
  if (one) {
    const x = Number(one[2]);
    const closed = one[1]!.length === 2;
    return one[1]!.startsWith("<")
      ? { label: text, lo: -Infinity, loClosed: false, hi: x, hiClosed: closed }
      : { label: text, lo: x, loClosed: closed, hi: Infinity, hiClosed: false };
  }
  const range = new RegExp(`^${NUMBER}${u}-${NUMBER}${u}$`).exec(text);
  if (range) {
    return { label: text, lo: Number(range[1]), loClosed: true, hi: Number(range[2]), hiClosed: true };
  }
  return undefined;
}

/** Whether two bins share a value. */
function overlap(a: Bin, b: Bin): boolean {
  const lo = Math.max(a.lo, b.lo), hi = Math.min(a.hi, b.hi);
  const loClosed = (a.lo < lo || a.loClosed) && (b.lo < lo || b.loClosed);
  const hiClosed = (a.hi > hi || a.hiClosed) && (b.hi > hi || b.hiClosed);
  return lo < hi || (lo === hi && loClosed && hiClosed);
}

/**
 * Parses a stratum; throws an Error saying what is wrong and how it is written.
 *
 * @example
 * ```ts
 * import { binOf, parseStratum } from "./strata.ts";
 * const age = parseStratum("age:<40,40-65,>65");
 * console.assert(binOf(age, 40) === "40-65" && binOf(age, 65.5) === ">65" && binOf(age, "old") === "other");
 * ```
 */
export function parseStratum(text: string): Stratum {
  const fail = (why: string) =>
    new Error(
      `stratum '${text}': ${why} (e.g. "site", "age:<40,40-65,>65", "lesionVolume:<1ml,1-10ml,>10ml")`,
    );
  const at = text.indexOf(":");
  const key = (at < 0 ? text : text.slice(0, at)).trim();
  if (!/^[^\s:,]+$/.test(key)) throw fail("the key before ':' must be one word");
  if (at < 0) return { text, key };
  const unit = key === LESION_VOLUME ? "ml" : "";
  const parts = text.slice(at + 1).split(",").map((p) => p.trim());
  const bins = parts.map((p) => {
    const bin = parseBin(p, unit);
    if (!bin) {
      throw fail(
        `bin '${p}' is not <x, <=x, >x, >=x or a-b with non-negative numbers` +
          (unit
            ? ` (in ${unit}; the unit may be written)`
            : /[a-z]/i.test(p)
            ? " (no unit: only lesionVolume has one, ml)"
            : ""),
      );
    }
    if (bin.lo > bin.hi) throw fail(`bin '${p}' runs backwards`);
    return bin;
  });
  bins.forEach((a, i) =>
    bins.slice(0, i).forEach((b) => {
      if (overlap(a, b)) throw fail(`bins '${b.label}' and '${a.label}' overlap (a value would count twice)`);
    })
  );
  return { text, key, bins };
}

/** The group of a value in a stratum: its bin's label (or "other"), its text, or "n/a" for no value. */
export function binOf(stratum: Stratum, value: string | number | undefined): string {
  if (value === undefined) return "n/a";
  if (!stratum.bins) return String(value);
  if (typeof value !== "number") return "other";
  const inside = (b: Bin) =>
    (value > b.lo || (b.loClosed && value === b.lo)) && (value < b.hi || (b.hiClosed && value === b.hi));
  return stratum.bins.find(inside)?.label ?? "other";
}

/** The group of healthy cases in a lesion volume stratum. */
export const NO_LESION = "no lesion";

/** A case's group in a stratum: by its lesion volume ("no lesion" without one), or by its metadata value. */
export function caseGroup(
  stratum: Stratum,
  c: Pick<CaseResult, "lesionMl" | "lesionVoxels" | "metadata">,
): string {
  if (stratum.key !== LESION_VOLUME) return binOf(stratum, c.metadata?.[stratum.key]);
  return c.lesionVoxels === 0 ? NO_LESION : binOf(stratum, c.lesionMl);
}

/**
 * The groups in display order: bins as given (categories sorted), then "no lesion", "other" and "n/a" where
 * present.
 */
export function orderGroups(stratum: Stratum, present: ReadonlySet<string>): string[] {
  const tail = [NO_LESION, "other", "n/a"].filter((g) => present.has(g));
  if (stratum.bins) return [...stratum.bins.map((b) => b.label).filter((g) => present.has(g)), ...tail];
  const values = [...present].filter((g) => g !== "n/a");
  const numeric = values.every((g) => g !== "" && !Number.isNaN(Number(g)));
  values.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => a.localeCompare(b));
  return [...values, ...(present.has("n/a") ? ["n/a"] : [])];
}
