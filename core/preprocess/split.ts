/**
 * Seeded patient-level splits: cases of one patient always land in the same part.
 * @module
 */
import type { Split } from "../dataset.ts";
import { Rng } from "../rng.ts";

/**
 * Shuffles the sorted ids with `seed` and cuts them by `fractions` [train, validation] (test takes the rest),
 * rounding each count. With `patientOf`, the sorted patients are shuffled and cut instead, and each part
 * holds all cases of its patients (sorted by id within a patient); without it every id is its own patient.
 *
 * @example
 * ```ts
 * import { splitPatients } from "./split.ts";
 * const s = splitPatients(["a", "b", "c", "d"], 1, [0.75, 0.05]);
 * console.assert(s.train.length === 3 && s.test.length === 1);
 * const g = splitPatients(["p1-a", "p1-b", "p2-a"], 1, [0.5, 0], (id) => id.slice(0, 2));
 * console.assert(g.train.every((id) => id.slice(0, 2) === g.train[0]!.slice(0, 2)));
 * ```
 */
export function splitPatients(
  ids: readonly string[],
  seed: number | string,
  fractions: readonly [number, number],
  patientOf: (id: string) => string = (id) => id,
): Record<Split, string[]> {
  const cases = new Map<string, string[]>();
  for (const id of [...ids].sort()) {
    const p = patientOf(id);
    cases.set(p, [...(cases.get(p) ?? []), id]);
  }
  const order = new Rng(seed).shuffle([...cases.keys()].sort());
  const nTrain = Math.round(fractions[0] * order.length);
  const nVal = Math.min(order.length - nTrain, Math.round(fractions[1] * order.length));
  const part = (from: number, to: number) => order.slice(from, to).flatMap((p) => cases.get(p)!);
  return {
    train: part(0, nTrain),
    validation: part(nTrain, nTrain + nVal),
    test: part(nTrain + nVal, order.length),
  };
}
