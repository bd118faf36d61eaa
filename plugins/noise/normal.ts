/**
 * Filling typed arrays with seeded normal draws, so noise is reproducible on any backend.
 * @module
 */
import type { Rng } from "../../core/rng.ts";

/**
 * Fills `out` with i.i.d. N(0, sigma^2) draws from `rng`, in index order, and returns it.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { fillNormal } from "./normal.ts";
 * const values = fillNormal(new Float32Array(16), new Rng(1), 0.2);
 * ```
 */
export function fillNormal(out: Float32Array, rng: Rng, sigma: number): Float32Array {
  for (let i = 0; i < out.length; i++) out[i] = sigma * rng.normal();
  return out;
}
