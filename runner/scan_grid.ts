/**
 * A score map back on a scan's own voxel grid: whatever resampling, cropping or slice selection prepared the
 * scan, each voxel of the scan's file takes the score at its world point (found through the inverse of the
 * prepared case's affine, trilinear, 0 outside the prepared grid), and the map is written in the file's own
 * layout and affine, so that it overlays the scan voxel for voxel.
 * @module
 */
import type { Case } from "../core/dataset.ts";
import {
  type Grid,
  invertAffine,
  multiplyAffine,
  type NiftiVolume,
  sampleAffine,
  writeNiftiLike,
} from "../core/nifti/mod.ts";

/**
 * The score map [D, H, W] of a prepared case, sampled at every voxel of `volume`'s canonical grid (the layout
 * `readNifti` returns): voxel → world (the volume's affine) → case voxel (the inverse of the case's).
 *
 * @example
 * ```ts
 * import { scoresOnScanGrid } from "./scan_grid.ts";
 * // A case of 2×2×1 voxels of 2 mm, and a scan of 4×4×1 voxels of 1 mm over the same 4×4 mm.
 * const c = { id: "s", shape: [1, 2, 2, 1] as const, image: new Float32Array(4), foreground: new Uint8Array(4),
 *   affine: [[2, 0, 0, 0.5], [0, 2, 0, 0.5], [0, 0, 1, 0], [0, 0, 0, 1]] };
 * const volume = { shape: [4, 4, 1], affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] };
 * const out = scoresOnScanGrid(new Float32Array([0, 1, 2, 3]), c, volume);
 * console.assert(out.length === 16 && out[0] === 0 && out[15] === 3);
 * ```
 */
export function scoresOnScanGrid(
  scores: Float32Array,
  c: Case,
  volume: Pick<NiftiVolume, "shape" | "affine">,
): Float32Array {
  if (!c.affine) {
    throw new Error(
      `scan '${c.id}': the prepared case has no affine, so its scores cannot be placed on the scan`,
    );
  }
  const [d, h, w] = c.shape;
  if (scores.length !== d * h * w) {
    throw new Error(`scan '${c.id}': ${scores.length} scores for a grid of [${d}, ${h}, ${w}]`);
  }
  const toCase = multiplyAffine(invertAffine(c.affine), volume.affine);
  return sampleAffine(scores, [w, h, d], volume.shape.slice(0, 3) as unknown as Grid, toCase, 0);
}

/**
 * Writes `path` (float32 NIfTI): the case's score map on the grid of `volume`, in the file's own layout and
 * affine ({@linkcode scoresOnScanGrid}, then `writeNiftiLike`); returns the values written (canonical order).
 */
export async function writeScoresOnScanGrid(
  path: string,
  scores: Float32Array,
  c: Case,
  volume: NiftiVolume,
): Promise<Float32Array> {
  const values = scoresOnScanGrid(scores, c, volume);
  await writeNiftiLike(path, values, volume, { description: `anomaly scores of ${c.id}` });
  return values;
}
