import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { Rng } from "../rng.ts";
import { concat, mirrorPad, pad, reverse, slice, split, tile, transpose } from "./cpu_layout.ts";

// Nothing registers the fast kernels here, so tf ops run the stock cpu kernels: the reference.
await tf.setBackend("cpu");
const rng = new Rng(9);

function randomTensor(shape: number[]): { values: Float32Array; t: tf.Tensor } {
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.uniform(-1, 1));
  return { values, t: tf.tensor(values, shape) };
}

/** Exact equality: these operations only move values. */
function assertSame(got: Float32Array, want: tf.Tensor, what: string): void {
  assert.deepEqual(got, want.dataSync(), what);
  want.dispose();
}

const SHAPES = [[5], [3, 4], [2, 3, 4], [2, 3, 4, 5], [2, 2, 3, 2, 3], [2, 1, 2, 3, 2, 2]];

Deno.test("slice matches tf.slice on every axis, with full, partial and unit extents", () => {
  for (const shape of SHAPES) {
    const { values, t } = randomTensor(shape);
    for (let axis = 0; axis < shape.length; axis++) {
      for (let trial = 0; trial < 3; trial++) {
        const begin = shape.map((n, d) => (d === axis || trial === 2 ? rng.int(n) : 0));
        const size = shape.map((n, d) => (d === axis || trial === 2 ? 1 + rng.int(n - begin[d]!) : n));
        assertSame(
          slice(values, shape, begin, size),
          tf.slice(t, begin, size),
          `[${shape}] ${begin}+${size}`,
        );
      }
    }
    t.dispose();
  }
});

Deno.test("pad and mirrorPad match tf.pad and tf.mirrorPad on every axis", () => {
  for (const shape of SHAPES) {
    const { values, t } = randomTensor(shape);
    for (let axis = -1; axis < shape.length; axis++) {
      // axis −1: pad every axis at once.
      const pads = shape.map((n, d): [number, number] =>
        d === axis || axis === -1 ? [rng.int(n), rng.int(n)] : [0, 0]
      );
      assertSame(pad(values, shape, pads, 0), tf.pad(t, pads), `pad [${shape}] ${pads}`);
      assertSame(pad(values, shape, pads, 2.5), tf.pad(t, pads, 2.5), `pad 2.5 [${shape}] ${pads}`);
      assertSame(
        mirrorPad(values, shape, pads, "symmetric"),
        tf.mirrorPad(t, pads, "symmetric"),
        `sym ${pads}`,
      );
      const reflect = pads.map((
        [a, b],
        d,
      ): [number, number] => [Math.min(a, shape[d]! - 1), Math.min(b, shape[d]! - 1)]);
      assertSame(
        mirrorPad(values, shape, reflect, "reflect"),
        tf.mirrorPad(t, reflect, "reflect"),
        `refl ${reflect}`,
      );
    }
    t.dispose();
  }
  assert.throws(
    () => mirrorPad(new Float32Array(3), [3], [[3, 0]], "reflect"),
    /does not fit axis 0 of size 3/,
  );
});

Deno.test("concat and split match tf.concat and tf.split on every axis", () => {
  for (const shape of SHAPES) {
    for (let axis = 0; axis < shape.length; axis++) {
      const parts = [1, 3, 2].map((n) => randomTensor(shape.map((s, d) => (d === axis ? n : s))));
      const got = concat(parts.map((p) => ({ values: p.values, shape: p.t.shape })), axis);
      const want = tf.concat(parts.map((p) => p.t), axis);
      assert.deepEqual(got.shape, want.shape);
      assertSame(got.values, want, `concat [${shape}] axis ${axis}`);
      const whole = parts.map((p) => p.t.shape[axis]!);
      const x = tf.concat(parts.map((p) => p.t), axis);
      const pieces = split(x.dataSync() as Float32Array, x.shape, whole, axis);
      tf.split(x, whole, axis).forEach((w, i) => assertSame(pieces[i]!, w, `split [${shape}] axis ${axis}`));
      tf.dispose([x, ...parts.map((p) => p.t)]);
    }
  }
});

Deno.test("transpose matches tf.transpose for random permutations", () => {
  for (const shape of SHAPES) {
    const { values, t } = randomTensor(shape);
    for (let trial = 0; trial < 6; trial++) {
      const perm = shape.map((_, i) => i).sort(() => rng.next() - 0.5);
      assertSame(transpose(values, shape, perm), tf.transpose(t, perm), `[${shape}] perm ${perm}`);
    }
    t.dispose();
  }
});

Deno.test("tile and reverse match tf.tile and tf.reverse", () => {
  for (const shape of SHAPES.slice(0, 5)) {
    const { values, t } = randomTensor(shape);
    const reps = shape.map(() => 1 + rng.int(3));
    assertSame(tile(values, shape, reps), tf.tile(t, reps), `tile [${shape}] ${reps}`);
    for (let axis = 0; axis < shape.length; axis++) {
      assertSame(reverse(values, shape, [axis]), tf.reverse(t, axis), `reverse [${shape}] ${axis}`);
    }
    const all = shape.map((_, i) => i);
    assertSame(reverse(values, shape, all), tf.reverse(t, all), `reverse [${shape}] all`);
    t.dispose();
  }
});
