/**
 * Test support: runs a tfjs function on the `cpu` backend and on another backend with the same random
 * inputs and asserts equal results (exact for int32/bool, within a tolerance relative to the largest cpu
 * magnitude for float32) and no leaked tensors on either.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * import { compareWithCpu } from "./backend_compare.ts";
 * await compareWithCpu("cpu", (a, b) => tf.add(a!, b!), [{ shape: [3, 4] }, { shape: [4] }]);
 * ```
 * @module
 */
import assert from "node:assert/strict";
import { tf } from "../../tf.ts";

/** A random input: shape, dtype (default float32) and value range [lo, hi) (default [-2, 2)). */
export interface RandomInput {
  readonly shape: number[];
  readonly dtype?: "float32" | "int32" | "bool";
  readonly lo?: number;
  readonly hi?: number;
}

/** A function of tensors under test. */
export type TensorOp = (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

let seed = 12345;

function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

/** Deterministic pseudo-random values for `input`. */
export function randomValues(input: RandomInput): Float32Array | Int32Array | Uint8Array {
  const n = input.shape.reduce((a, b) => a * b, 1);
  const lo = input.lo ?? -2, hi = input.hi ?? 2;
  if (input.dtype === "int32") {
    return Int32Array.from({ length: n }, () => Math.floor(lo + random() * (hi - lo)));
  }
  if (input.dtype === "bool") return Uint8Array.from({ length: n }, () => (random() < 0.5 ? 1 : 0));
  return Float32Array.from({ length: n }, () => lo + random() * (hi - lo));
}

async function run(
  backend: string,
  op: TensorOp,
  inputs: readonly RandomInput[],
  data: ReturnType<typeof randomValues>[],
) {
  assert.ok(await tf.setBackend(backend), `backend ${backend}`);
  const before = tf.memory().numTensors;
  const ts = inputs.map((input, i) => tf.tensor(data[i]!, input.shape, input.dtype ?? "float32"));
  // Intermediates of `op` are released; its outputs are kept.
  const out = tf.tidy(() => op(...ts));
  const outs = Array.isArray(out) ? out : [out];
  const results = [];
  for (const o of outs) results.push({ shape: o.shape, dtype: o.dtype, values: await o.data() });
  tf.dispose([...ts, ...outs]);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return results;
}

/** Asserts that `op` gives the same outputs on `backend` as on cpu for random `inputs`. */
export async function compareWithCpu(
  backend: string,
  op: TensorOp,
  inputs: readonly RandomInput[],
  rtol = 1e-5,
): Promise<void> {
  const data = inputs.map(randomValues);
  const cpu = await run("cpu", op, inputs, data);
  const other = await run(backend, op, inputs, data);
  assert.equal(other.length, cpu.length, "number of outputs");
  cpu.forEach((c, k) => {
    const g = other[k]!;
    assert.deepEqual(g.shape, c.shape, `output ${k} shape`);
    assert.equal(g.dtype, c.dtype, `output ${k} dtype`);
    const finite = Array.from(c.values as ArrayLike<number>, (v) => (Number.isFinite(v) ? Math.abs(v) : 0));
    const scale = Math.max(1e-6, ...finite);
    for (let i = 0; i < c.values.length; i++) {
      const a = Number(g.values[i]), b = Number(c.values[i]);
      if (Number.isNaN(b)) assert.ok(Number.isNaN(a), `output ${k}[${i}]: ${a}, cpu NaN`);
      else if (c.dtype !== "float32" || !Number.isFinite(b)) assert.equal(a, b, `output ${k}[${i}]`);
      else {assert.ok(
          Math.abs(a - b) <= rtol * scale,
          `output ${k}[${i}]: ${backend} ${a}, cpu ${b} (scale ${scale})`,
        );}
    }
  });
}
