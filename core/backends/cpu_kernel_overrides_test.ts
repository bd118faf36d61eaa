import assert from "node:assert/strict";
import { tf } from "../tf.ts";
import { type CpuBackend, floatValues } from "./cpu_kernel_overrides.ts";

await tf.setBackend("cpu");

Deno.test("floatValues reads float32 tensors cast from bool or int32 as a Float32Array", () => {
  const backend = tf.backend() as unknown as CpuBackend;
  const mask = tf.cast(tf.tensor([true, false, true], [3], "bool"), "float32");
  const ints = tf.cast(tf.tensor([3, -2], [2], "int32"), "float32");
  const got = floatValues(backend, mask);
  assert.ok(got instanceof Float32Array);
  assert.deepEqual([...got], [1, 0, 1]);
  assert.deepEqual([...floatValues(backend, ints)!], [3, -2]);
  assert.equal(floatValues(backend, tf.tensor([1], [1], "int32")), undefined, "int32 tensors fall back");
  tf.dispose([mask, ints]);
});
