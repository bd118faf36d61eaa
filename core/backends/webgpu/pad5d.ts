/**
 * PadV2 for rank-5 tensors on webgpu. tfjs-backend-webgpu's pad shader for rank 5 fails WGSL validation
 * under Deno and silently returns zeros, which made gradients of 5-D slices (`tf.slice`'s gradient pads) wrong
 * in attention and VAE restoration. This pads one axis at a time through rank-4 views, on which the stock
 * shader works (the same route as `core/ops/pad.ts` takes for the project's own padding).
 * @module
 */
import { tf } from "../../tf.ts";
import type { KernelArgs } from "../kernel_overrides.ts";

/** The backend calls the rank-4 route needs. */
interface DataBackend {
  disposeData(dataId: tf.DataId): void;
}

/**
 * Rank-5 PadV2 through rank-4 views, or undefined for other ranks (the stock kernel handles those).
 * `stockPad` is the stock PadV2 kernel, `reshape` the backend's Reshape kernel.
 */
export function pad5d(
  args: KernelArgs,
  stockPad: (args: KernelArgs) => tf.TensorInfo,
  reshape: (args: KernelArgs) => tf.TensorInfo,
): tf.TensorInfo | undefined {
  const x = args.inputs.x as tf.TensorInfo;
  const { paddings, constantValue } = args.attrs as unknown as {
    paddings: [number, number][];
    constantValue: number;
  };
  if (x.shape.length !== 5 || paddings.every(([a, b]) => a === 0 && b === 0)) return undefined;
  const backend = args.backend as unknown as DataBackend;
  const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  let current = x;
  const view = (t: tf.TensorInfo, shape: number[]) =>
    reshape({ inputs: { x: t }, backend: args.backend, attrs: { shape } as unknown as tf.NamedAttrMap });
  for (let axis = 0; axis < 5; axis++) {
    const [before, after] = paddings[axis]!;
    if (before === 0 && after === 0) continue;
    const shape = [...current.shape];
    // [outer, n, inner, 1]: the axis becomes axis 1 of a rank-4 tensor.
    const flat = view(current, [size(shape.slice(0, axis)), shape[axis]!, size(shape.slice(axis + 1)), 1]);
    const padded = stockPad({
      inputs: { x: flat },
      backend: args.backend,
      attrs: {
        paddings: [[0, 0], [before, after], [0, 0], [0, 0]],
        constantValue,
      } as unknown as tf.NamedAttrMap,
    });
    shape[axis] = shape[axis]! + before + after;
    const next = view(padded, shape);
    backend.disposeData(flat.dataId);
    backend.disposeData(padded.dataId);
    if (current !== x) backend.disposeData(current.dataId);
    current = next;
  }
  return current;
}
