/**
 * Seeded patient-level splits.
 * @module
 */
import type { Split } from "../dataset.ts";
import { Rng } from "../rng.ts";

/**
 * Shuffles the sorted ids with `seed` and cuts them by `fractions` [train, validation] (test takes the rest),
 * rounding each count.
 *
 * @example
 * ```ts
 * import { splitPatients } from "./split.ts";
 * const s = splitPatients(["a", "b", "c", "d"], 1, [0.75, 0.05]);
 * console.assert(s.train.length === 3 && s.test.length === 1);
 * ```
 */
export function splitPatients(
  ids: readonly string[],
  seed: number,
  fractions: readonly [number, number],
): Record<Split, string[]> {
  const order = new Rng(seed).shuffle([...ids].sort());
  const nTrain = Math.round(fractions[0] * order.length);
  const nVal = Math.min(order.length - nTrain, Math.round(fractions[1] * order.length));
  return {
    train: order.slice(0, nTrain),
    validation: order.slice(nTrain, nTrain + nVal),
    test: order.slice(nTrain + nVal),
  };
}
