/**
 * What the kernel tests share: a seeded stream of uniform values (a 32-bit linear congruential generator,
 * so a test's inputs do not move when the project's Rng changes) and the check of a fast kernel's output
 * against the stock kernel's.
 * @module
 */
import assert from "node:assert/strict";
import { tf } from "../tf.ts";

/** A deterministic stream of 32-bit values from `seed`. */
export class Lcg {
  #state: number;

  /** Starts the stream at `seed`. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next value in [0, 2^32). */
  nextUint32(): number {
    this.#state = (Math.imul(this.#state, 1664525) + 1013904223) >>> 0;
    return this.#state;
  }

  /** The next value in [0, 1). */
  next(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.nextUint32() % (hi - lo + 1));
  }

  /** `n` values in [lo, hi). */
  values(n: number, lo = -1, hi = 1): Float32Array {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * this.next();
    return v;
  }

  /** A float32 tensor of values in [lo, hi). */
  tensor(shape: number[], lo = -1, hi = 1): tf.Tensor {
    return tf.tensor(this.values(shape.reduce((a, b) => a * b, 1), lo, hi), shape);
  }
}

/** Asserts equal shapes and max |got − want| ≤ `tol` · max(1, max |want|). */
export function assertCloseTensors(got: tf.Tensor, want: tf.Tensor, label: string, tol = 1e-4): void {
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  const g = got.dataSync(), w = want.dataSync();
  let scale = 1, err = 0;
  for (let i = 0; i < w.length; i++) {
    scale = Math.max(scale, Math.abs(w[i]!));
    err = Math.max(err, Math.abs(g[i]! - w[i]!));
  }
  assert.ok(err <= tol * scale, `${label}: max error ${err} (scale ${scale})`);
}
