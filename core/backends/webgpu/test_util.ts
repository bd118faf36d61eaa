/**
 * Shared by this folder's tests: whether a WebGPU adapter exists, deterministic random inputs, and a
 * comparison of one kernel's webgpu result (fast kernels registered) with the cpu backend's.
 * @module
 */
import assert from "node:assert/strict";
import { selectBackend } from "../../backend.ts";
import { probeWebgpuAdapter, SOFTWARE_WEBGPU_ENV, softwareWebgpuRequested } from "../../webgpu_adapter.ts";
import { tf } from "../../tf.ts";
import { isFastWebgpuKernelActive, registerFastWebgpuKernels } from "./register.ts";

/**
 * Why the webgpu tests do not run here, or undefined when they do: on a hardware adapter always, on a
 * software or GL-emulated one only when UAD_WEBGPU_SOFTWARE=1 asks (CI sets it for its software Vulkan
 * device; a GL adapter can take more than ten minutes per test).
 */
export const NO_WEBGPU: string | undefined = await (async () => {
  const probe = await probeWebgpuAdapter();
  if (!probe.adapter) return `${probe.reason} (install mesa-vulkan-drivers for a software device)`;
  if (probe.class.kind === "hardware" || softwareWebgpuRequested()) return undefined;
  return `the adapter is ${probe.label}: set ${SOFTWARE_WEBGPU_ENV}=1 to run them on it`;
})();

if (NO_WEBGPU !== undefined) console.log(`webgpu kernel tests skipped: ${NO_WEBGPU}`);
else {
  await selectBackend("webgpu");
  // selectBackend installs them; called again (idempotent) so the tests hold without that wiring too.
  registerFastWebgpuKernels();
}

let seed = 20240611;

/** Deterministic integer in [lo, hi]. */
export function pick(lo: number, hi: number): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return lo + (seed % (hi - lo + 1));
}

/** Deterministic values in [-1, 1). */
export function randomValues(shape: readonly number[]): Float32Array {
  const v = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < v.length; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    v[i] = seed / 2 ** 31 - 1;
  }
  return v;
}

/** A kernel input: its shape and values. */
export interface InputSpec {
  /** Tensor shape. */
  shape: number[];
  /** Flat values. */
  values: Float32Array;
}

/** Random values for each named shape. */
export function randomInputs(shapes: Record<string, number[]>): Record<string, InputSpec> {
  return Object.fromEntries(
    Object.entries(shapes).map(([k, s]) => [k, { shape: s, values: randomValues(s) }]),
  );
}

async function runOn(
  backend: string,
  name: string,
  inputs: Record<string, InputSpec>,
  attrs: tf.NamedAttrMap,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]));
  const out = tf.engine().runKernel(name, ts, attrs) as tf.Tensor;
  const values = await out.data() as Float32Array;
  const shape = out.shape;
  tf.dispose([out, ...Object.values(ts)]);
  return { shape, values };
}

/**
 * Runs kernel `name` on webgpu (asserting the fast kernel is the registered one) and on cpu, and asserts
 * equal shapes and a max error within 1e-4 of the largest cpu magnitude (at least 1).
 */
export async function compareWithCpu(
  name: string,
  inputs: Record<string, InputSpec>,
  attrs: tf.NamedAttrMap,
  label: string,
): Promise<void> {
  assert.ok(isFastWebgpuKernelActive(name), `${name}: the fast webgpu kernel is registered`);
  const got = await runOn("webgpu", name, inputs, attrs);
  const want = await runOn("cpu", name, inputs, attrs);
  await tf.setBackend("webgpu");
  assert.deepEqual(got.shape, want.shape, `${name} ${label}: shape`);
  let scale = 1, err = 0;
  for (let i = 0; i < want.values.length; i++) {
    scale = Math.max(scale, Math.abs(want.values[i]!));
    err = Math.max(err, Math.abs(got.values[i]! - want.values[i]!));
  }
  assert.ok(err <= 1e-4 * scale, `${name} ${label}: max error ${err} (scale ${scale})`);
}
