/**
 * One voxel grid per case: every image and mask of a case must share shape and affine, compared on the
 * canonical (RAS+) grids the reader returns, so a file stored in another axis order that describes the same
 * world grid passes, while a shifted, flipped, rotated or rescaled one is refused. Nothing is resampled.
 * @module
 */
import type { Affine } from "./affine.ts";
import type { NiftiVolume } from "./read.ts";

/** How far two affines may differ and still be one grid. */
export const GRID_TOLERANCE = {
  /** On the translation column (the world position of voxel 0), in mm. */
  originMm: 1e-3,
  /** On the 3×3 part, relative to its largest entry (float32 headers hold ~1e-7). */
  axesRelative: 1e-4,
} as const;

/** The part of a volume that defines its grid. */
export type GridOf = Pick<NiftiVolume, "path" | "shape" | "affine">;

const fmt = (xs: readonly number[]) => `[${xs.map((x) => +x.toFixed(4)).join(", ")}]`;
const column = (a: Affine, c: number) => [a[0]![c]!, a[1]![c]!, a[2]![c]!];

/**
 * What differs between the grids of `a` and `b` ("" when they are one grid within {@linkcode GRID_TOLERANCE}).
 *
 * @example
 * ```ts
 * import { gridDifference } from "./grid.ts";
 * const id = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
 * const moved = [[1, 0, 0, 5], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
 * const a = { path: "a", shape: [4, 4, 4], affine: id }, b = { path: "b", shape: [4, 4, 4], affine: moved };
 * console.assert(gridDifference(a, a) === "" && gridDifference(a, b).includes("origin"));
 * ```
 */
export function gridDifference(a: GridOf, b: GridOf): string {
  if (a.shape.join() !== b.shape.join()) return `shape ${fmt(b.shape)} vs ${fmt(a.shape)}`;
  const out: string[] = [];
  const scale = Math.max(...[0, 1, 2].flatMap((c) => column(a.affine, c).map(Math.abs)));
  const sizes = (x: Affine) => [0, 1, 2].map((c) => Math.hypot(...column(x, c)));
  const [sa, sb] = [sizes(a.affine), sizes(b.affine)];
  if (sa.some((s, i) => Math.abs(s - sb[i]!) > GRID_TOLERANCE.axesRelative * scale)) {
    out.push(`voxel size ${fmt(sb)} mm vs ${fmt(sa)} mm`);
  } else {
    const axes = (x: Affine) => [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => x[r]![c]!));
    const [xa, xb] = [axes(a.affine), axes(b.affine)];
    if (xa.some((v, i) => Math.abs(v - xb[i]!) > GRID_TOLERANCE.axesRelative * scale)) {
      out.push(`axis directions differ (3×3 ${fmt(xb)} vs ${fmt(xa)}: rotated or flipped)`);
    }
  }
  const shift = [0, 1, 2].map((r) => b.affine[r]![3]! - a.affine[r]![3]!);
  if (shift.some((d) => Math.abs(d) > GRID_TOLERANCE.originMm)) {
    out.push(`origin (world position of the first voxel) differs by ${fmt(shift)} mm`);
  }
  return out.join("; ");
}

/**
 * Throws unless every volume in `others` lies on `reference`'s voxel grid; the message names both files,
 * the difference and the tolerance.
 *
 * @example
 * ```ts ignore
 * const [t1, seg] = await Promise.all([readNifti(t1Path), readNifti(segPath)]);
 * assertSameGrid(t1, [seg]); // "seg.nii.gz: voxel grid differs from t1.nii.gz: origin … differs by [5, 0, 0] mm …"
 * ```
 */
export function assertSameGrid(reference: GridOf, others: readonly GridOf[]): void {
  for (const other of others) {
    const diff = gridDifference(reference, other);
    if (!diff) continue;
    throw new Error(
      `${other.path}: voxel grid differs from ${reference.path}: ${diff} (tolerance ` +
        `${GRID_TOLERANCE.originMm} mm on the origin, ${GRID_TOLERANCE.axesRelative} relative on the axes; ` +
        `resample it onto ${reference.path}'s grid, or fix its header if the voxels already match)`,
    );
  }
}
