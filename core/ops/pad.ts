/**
 * Padding of the spatial axes of [B, ...S, C] tensors, zeros or reflect, for 2D and 3D. Volumes are padded
 * one axis at a time through rank-4 views: tfjs-webgpu's Pad and MirrorPad shaders for rank-5 tensors do not
 * compile under Deno's WebGPU (naga) and silently return zeros.
 * @module
 */
import { tf } from "../tf.ts";

/** How borders are filled: zeros, or mirrored without repeating the edge (PyTorch's "reflect"). */
export type PadMode = "constant" | "reflect";

/** `shape` seen as rank 4 with `axis` second: [Π before, n, Π after (without C), C]. */
export function axisView(shape: readonly number[], axis: number): [number, number, number, number] {
  const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  return [prod(shape.slice(0, axis)), shape[axis]!, prod(shape.slice(axis + 1, -1)), shape.at(-1)!];
}

/** Pads one spatial `axis` of `x` by `before` and `after`. */
export function padAxis(x: tf.Tensor, axis: number, before: number, after: number, mode: PadMode): tf.Tensor {
  return tf.tidy(() => {
    const view = tf.reshape(x, axisView(x.shape, axis)) as tf.Tensor4D;
    const pads: [number, number][] = [[0, 0], [before, after], [0, 0], [0, 0]];
    const padded = mode === "reflect" ? tf.mirrorPad(view, pads, "reflect") : tf.pad(view, pads);
    return tf.reshape(padded, x.shape.map((d, i) => (i === axis ? d + before + after : d)));
  });
}

/**
 * Pads every spatial axis of [B, ...S, C] by `p` on both sides.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { padSpatial } from "./pad.ts";
 * const y = padSpatial(tf.ones([1, 4, 4, 4, 2]), 1, "reflect"); // [1, 6, 6, 6, 2]
 * ```
 */
export function padSpatial(x: tf.Tensor, p: number, mode: PadMode): tf.Tensor {
  if (x.rank <= 4) {
    const pads = x.shape.map((_, i) => (i === 0 || i === x.rank - 1 ? [0, 0] : [p, p]) as [number, number]);
    return mode === "reflect" ? tf.mirrorPad(x, pads, "reflect") : tf.pad(x, pads);
  }
  return tf.tidy(() => {
    let y = x;
    for (let axis = 1; axis < x.rank - 1; axis++) y = padAxis(y, axis, p, p, mode);
    return y;
  });
}
