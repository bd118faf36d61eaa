/**
 * Kernel-by-kernel comparison with cpu: every kernel call a computation makes on the cpu backend is recorded
 * (name, attributes, input and output values; the first call of each distinct signature), then each call is
 * replayed alone on another backend with the same inputs and its outputs compared with cpu's. Recording a
 * real U-Net step gives exactly the kernels and the layer shapes the model uses, forward and gradients.
 * @module
 */
import { tf } from "../core/mod.ts";

type Values = Float32Array | Int32Array | Uint8Array;

/** A tensor's shape, dtype and values. */
export interface TensorRecord {
  /** Shape. */
  readonly shape: number[];
  /** Data type (never string: calls on strings are not recorded). */
  readonly dtype: tf.DataType;
  /** A copy of the values, in the dtype's array type (Float32Array, Int32Array, Uint8Array for bool). */
  readonly values: Values;
}

/** One recorded kernel call. */
export interface KernelCall {
  /** The tfjs kernel name. */
  readonly name: string;
  /** Inputs by name; `array` when the op passed a list (Concat, AddN, Pack). */
  readonly inputs: { readonly array: boolean; readonly entries: [string, TensorRecord][] };
  /** Attributes as given. */
  readonly attrs: tf.NamedAttrMap;
  /** Outputs, in order. */
  readonly outputs: TensorRecord[];
  /** The input shapes, e.g. "x[1,130,130,64] filter[3,3,64,64]", for messages. */
  readonly label: string;
}

type RunKernel = (
  name: string,
  inputs: tf.NamedTensorMap,
  attrs?: tf.NamedAttrMap,
) => tf.Tensor | tf.Tensor[];

/**
 * Runs `f` (on the cpu backend) and records the first call of every distinct kernel signature (name, input
 * shapes and dtypes, attributes) made through the engine, with copies of its inputs and outputs.
 *
 * @example
 * ```ts
 * import { tf } from "../core/mod.ts";
 * import { recordKernels } from "./kernel_record.ts";
 * await tf.setBackend("cpu");
 * const { calls } = await recordKernels(() => Promise.resolve(tf.tidy(() => tf.relu(tf.tensor([-1, 2]))).dispose()));
 * console.assert(calls.some((c) => c.name === "Relu"));
 * ```
 */
export async function recordKernels<T>(f: () => Promise<T>): Promise<{ result: T; calls: KernelCall[] }> {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel;
  const seen = new Map<string, KernelCall>();
  engine.runKernel = function (this: unknown, name, inputs, attrs = {}) {
    const out = original.call(this, name, inputs, attrs);
    if (tf.getBackend() === "cpu") remember(seen, name, inputs, attrs, out);
    return out;
  } as RunKernel;
  try {
    const result = await f();
    return { result, calls: [...seen.values()] };
  } finally {
    engine.runKernel = original;
  }
}

function remember(
  seen: Map<string, KernelCall>,
  name: string,
  inputs: tf.NamedTensorMap,
  attrs: tf.NamedAttrMap,
  out: tf.Tensor | tf.Tensor[],
): void {
  const entries = Object.entries(inputs).filter(([, t]) => t !== undefined && t !== null) as [
    string,
    tf.Tensor,
  ][];
  const outs = Array.isArray(out) ? out : [out];
  if ([...entries.map(([, t]) => t), ...outs].some((t) => t.dtype === "string")) return;
  let attrKey: string;
  try {
    attrKey = JSON.stringify(attrs, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v));
  } catch {
    return; // Attributes that do not serialise (none of the model's kernels) cannot be keyed.
  }
  const label = entries.map(([k, t]) => `${k}[${t.shape}]${t.dtype === "float32" ? "" : `:${t.dtype}`}`).join(
    " ",
  );
  const key = `${name} ${label} ${attrKey}`;
  if (seen.has(key)) return;
  // A copy in the dtype's own array type (the cpu backend may hold a cast float32 tensor as bytes).
  const copy = (t: tf.Tensor): TensorRecord => {
    const raw = t.dataSync() as Values;
    const values = t.dtype === "int32"
      ? Int32Array.from(raw)
      : t.dtype === "bool"
      ? Uint8Array.from(raw)
      : Float32Array.from(raw);
    return { shape: [...t.shape], dtype: t.dtype, values };
  };
  seen.set(key, {
    name,
    inputs: { array: Array.isArray(inputs), entries: entries.map(([k, t]) => [k, copy(t)]) },
    attrs,
    outputs: outs.map(copy),
    label,
  });
}

/** How a replayed call compared with cpu. */
export interface ReplayResult {
  /** The call. */
  readonly call: KernelCall;
  /** Largest |backend − cpu| over all outputs, relative to the largest |cpu| of that output. */
  readonly error: number;
  /** Why it failed (undefined when within tolerance). */
  readonly failure?: string;
}

/**
 * Runs one recorded call on `backend` and compares its outputs with the recorded cpu outputs: equal shapes
 * and dtypes, integers and booleans exactly, floats within `tolerance` of the output's largest cpu
 * magnitude, NaN only where cpu has NaN.
 */
export async function replayCall(
  call: KernelCall,
  backend: string,
  tolerance: number,
): Promise<ReplayResult> {
  await tf.setBackend(backend);
  const made = call.inputs.entries.map(([k, r]) => [k, tf.tensor(r.values, r.shape, r.dtype)] as const);
  const inputs = call.inputs.array ? made.map(([, t]) => t) : Object.fromEntries(made);
  let outs: tf.Tensor[];
  try {
    const out = tf.engine().runKernel(call.name, inputs as unknown as tf.NamedTensorMap, call.attrs);
    outs = (Array.isArray(out) ? out : [out]) as tf.Tensor[];
  } catch (e) {
    tf.dispose(made.map(([, t]) => t));
    return { call, error: Infinity, failure: `threw: ${e instanceof Error ? e.message : e}` };
  }
  let worst = 0;
  let failure: string | undefined;
  try {
    if (outs.length !== call.outputs.length) {
      failure = `${outs.length} outputs, cpu ${call.outputs.length}`;
    }
    for (let k = 0; k < Math.min(outs.length, call.outputs.length) && !failure; k++) {
      const got = outs[k]!, want = call.outputs[k]!;
      if (got.shape.join() !== want.shape.join() || got.dtype !== want.dtype) {
        failure = `output ${k}: [${got.shape}] ${got.dtype}, cpu [${want.shape}] ${want.dtype}`;
        break;
      }
      const cmp = compareValues(await got.data() as Values, want.values, want.dtype, tolerance);
      worst = Math.max(worst, cmp.error);
      if (cmp.failure) failure = `output ${k}: ${cmp.failure}`;
    }
  } finally {
    tf.dispose([...made.map(([, t]) => t), ...outs]);
  }
  return failure ? { call, error: worst, failure } : { call, error: worst };
}

/**
 * Compares values with a reference: exact for int32/bool; for float32 the largest |got − want| relative to
 * the largest |want| (finite values), NaN only where the reference has NaN, infinities equal.
 *
 * @example
 * ```ts
 * import { compareValues } from "./kernel_record.ts";
 * const r = compareValues(new Float32Array([1, 2.0001]), new Float32Array([1, 2]), "float32", 1e-3);
 * console.assert(r.failure === undefined && r.error < 1e-4);
 * ```
 */
export function compareValues(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  dtype: tf.DataType,
  tolerance: number,
): { error: number; failure?: string } {
  if (got.length !== want.length) {
    return { error: Infinity, failure: `${got.length} values, cpu ${want.length}` };
  }
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (Number.isFinite(w)) scale = Math.max(scale, Math.abs(w));
  }
  let error = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(w) || !Number.isFinite(w) || dtype !== "float32") {
      if (!Object.is(g, w) && !(Number.isNaN(g) && Number.isNaN(w)) && g !== w) {
        return { error: Infinity, failure: `[${i}] = ${g}, cpu ${w}` };
      }
      continue;
    }
    if (!Number.isFinite(g)) return { error: Infinity, failure: `[${i}] = ${g}, cpu ${w}` };
    const e = Math.abs(g - w) / (scale || 1e-30);
    if (e > error) error = e;
  }
  if (error > tolerance) return { error, failure: `relative error ${fmt(error)} > ${fmt(tolerance)}` };
  return { error };
}

function fmt(x: number): string {
  return x.toExponential(1);
}
