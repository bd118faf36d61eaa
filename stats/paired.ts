/**
 * Paired comparison of two methods over the same patients: a paired bootstrap of the mean difference and
 * the Wilcoxon signed-rank test.
 * @module
 */
import { bootstrapCi, type BootstrapOptions, type ConfidenceInterval } from "./bootstrap.ts";
import { mean } from "./summary.ts";

/** Paired bootstrap CI of mean(a − b), resampling patients. */
export function pairedBootstrap(
  a: readonly number[],
  b: readonly number[],
  options: BootstrapOptions = {},
): ConfidenceInterval {
  checkPaired(a, b);
  return bootstrapCi(a.map((x, i) => x - b[i]!), mean, options);
}

/** Result of {@linkcode wilcoxonSignedRank}. */
export interface WilcoxonResult {
  /** W+, the sum of the ranks of positive differences a − b. */
  readonly wPlus: number;
  /** Number of non-zero differences (zeros are dropped). */
  readonly n: number;
  /** Two-sided p-value. */
  readonly p: number;
  /** "exact" (n <= 25, no tied |differences|) or "normal" (tie- and continuity-corrected). */
  readonly method: "exact" | "normal";
}

/**
 * Two-sided Wilcoxon signed-rank test of a − b. Zero differences are dropped (Wilcoxon's convention);
 * tied |differences| get mid-ranks. Exact null distribution for n <= 25 without ties, else the normal
 * approximation with the tie correction of the variance and a 0.5 continuity correction.
 *
 * @example
 * ```ts
 * import { wilcoxonSignedRank } from "./paired.ts";
 * const r = wilcoxonSignedRank([1, 2, 3, 4, 5], [0, 0, 0, 0, 0]);
 * console.assert(r.p === 0.0625 && r.method === "exact");
 * ```
 */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonResult {
  checkPaired(a, b);
  const d = a.map((x, i) => x - b[i]!).filter((x) => x !== 0);
  const n = d.length;
  if (n === 0) return { wPlus: 0, n: 0, p: 1, method: "exact" };
  const order = d.map((_, i) => i).sort((i, j) => Math.abs(d[i]!) - Math.abs(d[j]!));
  const rank = new Float64Array(n);
  let tieTerm = 0;
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && Math.abs(d[order[e + 1]!]!) === Math.abs(d[order[s]!]!)) e++;
    const t = e - s + 1;
    tieTerm += t ** 3 - t;
    for (let k = s; k <= e; k++) rank[order[k]!] = (s + e) / 2 + 1;
    s = e + 1;
  }
  let wPlus = 0;
  for (let i = 0; i < n; i++) if (d[i]! > 0) wPlus += rank[i]!;
  if (n <= 25 && tieTerm === 0) {
    // counts[w] = number of sign patterns with W+ = w.
    const max = (n * (n + 1)) / 2;
    const counts = new Float64Array(max + 1);
    counts[0] = 1;
    for (let r = 1; r <= n; r++) for (let w = max; w >= r; w--) counts[w]! += counts[w - r]!;
    const total = 2 ** n;
    let below = 0;
    let above = 0;
    for (let w = 0; w <= max; w++) {
      if (w <= wPlus) below += counts[w]!;
      if (w >= wPlus) above += counts[w]!;
    }
    return { wPlus, n, p: Math.min(1, (2 * Math.min(below, above)) / total), method: "exact" };
  }
  const mu = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const dev = Math.max(0, Math.abs(wPlus - mu) - 0.5);
  const z = variance > 0 ? dev / Math.sqrt(variance) : 0;
  return { wPlus, n, p: Math.min(1, erfc(z / Math.SQRT2)), method: "normal" };
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(
    -z * z - 1.26551223 +
      t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
                      t *
                        (0.27886807 +
                          t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return x >= 0 ? r : 2 - r;
}

function checkPaired(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new Error(`paired comparison: ${a.length} values vs ${b.length}`);
  if (a.length === 0) throw new Error("paired comparison: no patients");
  for (const v of [...a, ...b]) {
    if (!Number.isFinite(v)) throw new Error(`paired comparison: value ${v} is not finite`);
  }
}
