/**
 * Removal of small 3D connected components (26-connectivity), on the core's component labelling.
 * @module
 */
import { labelComponents } from "../../core/lesions/components.ts";

/** What {@linkcode removeSmallComponents} did. */
export interface ComponentFilterStats {
  /** Components found. */
  readonly components: number;
  /** Components removed (size <= minSize). */
  readonly removed: number;
  /** Voxels removed. */
  readonly removedVoxels: number;
}

/**
 * Clears, in place, every 26-connected component of `mask` ([D, H, W], C order, 0/1) with at most `minSize`
 * voxels.
 *
 * @example
 * ```ts
 * import { removeSmallComponents } from "./connected_components.ts";
 * const mask = new Uint8Array([1, 0, 0, 1, 1, 1]); // [1, 1, 6]
 * removeSmallComponents(mask, [1, 1, 6], 1); // the lone voxel goes
 * console.assert(mask[0] === 0 && mask[4] === 1);
 * ```
 */
export function removeSmallComponents(
  mask: Uint8Array,
  shape: readonly [number, number, number],
  minSize: number,
): ComponentFilterStats {
  const { labels, sizes } = labelComponents(mask, shape);
  let removedVoxels = 0;
  for (let i = 0; i < mask.length; i++) {
    if (labels[i] !== 0 && sizes[labels[i]! - 1]! <= minSize) {
      mask[i] = 0;
      removedVoxels++;
    }
  }
  return {
    components: sizes.length,
    removed: sizes.filter((s) => s <= minSize).length,
    removedVoxels,
  };
}
