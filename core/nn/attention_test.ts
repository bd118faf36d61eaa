import assert from "node:assert/strict";
import { Rng } from "../rng.ts";
import { tf } from "../tf.ts";
import { spatialSelfAttention } from "./attention.ts";

const randn = (rng: Rng, shape: number[]) =>
  tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

/** Attention for one sample written out with loops: x is [N][C]. */
function reference(
  x: number[][],
  qkvW: number[][],
  qkvB: number[],
  outW: number[][],
  outB: number[],
  heads: number,
) {
  const c = x[0]!.length;
  const d = c / heads;
  const proj = x.map((row) =>
    qkvB.map((bias, j) => bias + row.reduce((s, xi, i) => s + xi * qkvW[i]![j]!, 0))
  );
  const merged = x.map(() => new Array<number>(c).fill(0));
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < x.length; i++) {
      const logits = x.map((_, j) => {
        let s = 0;
        for (let e = 0; e < d; e++) s += proj[i]![h * d + e]! * proj[j]![c + h * d + e]!;
        return s / Math.sqrt(d);
      });
      const m = Math.max(...logits);
      const p = logits.map((l) => Math.exp(l - m));
      const z = p.reduce((a, b) => a + b, 0);
      for (let e = 0; e < d; e++) {
        merged[i]![h * d + e] = p.reduce((s, pj, j) => s + (pj / z) * proj[j]![2 * c + h * d + e]!, 0);
      }
    }
  }
  return merged.map((row) =>
    outB.map((bias, j) => bias + row.reduce((s, mi, i) => s + mi * outW[i]![j]!, 0))
  );
}

Deno.test("spatialSelfAttention equals a loop-by-loop computation (2 heads)", () => {
  const rng = new Rng(3);
  const c = 4;
  const x = randn(rng, [2, 2, 3, c]);
  const w = {
    qkvW: randn(rng, [c, 3 * c]),
    qkvB: randn(rng, [3 * c]),
    outW: randn(rng, [c, c]),
    outB: randn(rng, [c]),
  };
  const y = spatialSelfAttention(x, w, 2);
  assert.deepEqual(y.shape, x.shape);
  const xs = x.arraySync() as number[][][][];
  const ys = y.arraySync() as number[][][][];
  for (let b = 0; b < 2; b++) {
    const expected = reference(
      xs[b]!.flat(),
      w.qkvW.arraySync() as number[][],
      w.qkvB.arraySync() as number[],
      w.outW.arraySync() as number[][],
      w.outB.arraySync() as number[],
      2,
    );
    ys[b]!.flat().forEach((row, i) =>
      row.forEach((v, j) => assert.ok(Math.abs(v - expected[i]![j]!) < 1e-4))
    );
  }
  tf.dispose([x, y, ...Object.values(w)]);
});

Deno.test("spatialSelfAttention is global and permutation-equivariant in 3D", () => {
  const rng = new Rng(4);
  const c = 2;
  const x = randn(rng, [1, 2, 2, 2, c]);
  const w = {
    qkvW: randn(rng, [c, 3 * c]),
    qkvB: randn(rng, [3 * c]),
    outW: randn(rng, [c, c]),
    outB: randn(rng, [c]),
  };
  const y = spatialSelfAttention(x, w);
  assert.deepEqual(y.shape, [1, 2, 2, 2, c]);
  // Reversing the depth axis of the input reverses the output: positions are treated as a set.
  const yFlipped = spatialSelfAttention(tf.reverse(x, 1), w);
  const diff = tf.max(tf.abs(tf.sub(tf.reverse(y, 1), yFlipped))).dataSync()[0]!;
  assert.ok(diff < 1e-5, `not equivariant: ${diff}`);
  assert.throws(() => spatialSelfAttention(x, w, 3), /heads/);
});
