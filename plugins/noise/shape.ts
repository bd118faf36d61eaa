/**
 * Reading a noise request's shape: [B, H, W, C] (2D) or [B, D, H, W, C] (3D), channels last.
 * @module
 */

/** A validated noise shape split into its parts. */
export interface NoiseShape {
  /** Samples in the batch. */
  readonly batch: number;
  /** Spatial extents, [H, W] or [D, H, W]. */
  readonly spatial: readonly number[];
  /** Channels. */
  readonly channels: number;
  /** Elements in the whole tensor. */
  readonly size: number;
}

/**
 * Checks `shape` and splits it; `id` names the noise in the error.
 *
 * @example
 * ```ts
 * import { noiseShape } from "./shape.ts";
 * const { batch, spatial, channels } = noiseShape([2, 64, 64, 4], "gaussian");
 * ```
 */
export function noiseShape(shape: readonly number[], id: string): NoiseShape {
  const ok = (shape.length === 4 || shape.length === 5) &&
    shape.every((n) => Number.isInteger(n) && n > 0);
  if (!ok) {
    throw new Error(
      `noise '${id}': shape must be [B, H, W, C] or [B, D, H, W, C] of positive integers, got [${
        shape.join(", ")
      }]`,
    );
  }
  return {
    batch: shape[0]!,
    spatial: shape.slice(1, -1),
    channels: shape[shape.length - 1]!,
    size: shape.reduce((a, b) => a * b, 1),
  };
}
