/**
 * Learning-rate schedules as pure functions of the step.
 * @module
 */

/**
 * Cosine annealing from `lr` down to `minLr` over `period` steps (PyTorch's CosineAnnealingLR, which keeps
 * oscillating with period 2·`period` past the end, as the paper's code did when it ran longer than T_max).
 *
 * @example
 * ```ts
 * import { cosineLr } from "./schedule.ts";
 * console.assert(cosineLr(0, 100, 1e-3) === 1e-3);
 * console.assert(Math.abs(cosineLr(100, 100, 1e-3)) < 1e-12);
 * ```
 */
export function cosineLr(step: number, period: number, lr: number, minLr = 0): number {
  return minLr + ((lr - minLr) * (1 + Math.cos((Math.PI * step) / period))) / 2;
}

/**
 * One-cycle schedule (Smith 2018, as PyTorch's OneCycleLR with cosine annealing): warm up from
 * `maxLr / divFactor` to `maxLr` over the first `pctStart` of `total` steps, then anneal to
 * `maxLr / (divFactor · finalDivFactor)`.
 */
export function oneCycleLr(
  step: number,
  total: number,
  maxLr: number,
  { pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = {},
): number {
  const initial = maxLr / divFactor;
  const final = initial / finalDivFactor;
  const warm = Math.max(1, Math.round(pctStart * total));
  const cos = (from: number, to: number, frac: number) =>
    to + ((from - to) * (1 + Math.cos(Math.PI * frac))) / 2;
  if (step < warm) return cos(initial, maxLr, step / warm);
  return cos(maxLr, final, Math.min(1, (step - warm) / Math.max(1, total - warm)));
}
