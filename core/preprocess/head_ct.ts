/**
 * Head CT preprocessing: HU volume → 2 mm isotropic (trilinear) → head mask (HU > −500, holes filled per
 * axial slice) → field of view centred on the head → window [0, 80] HU scaled to [0, 1].
 * @module
 */
import {
  type Grid,
  multiplyAffine,
  padCropAt,
  sampleAffine,
  threshold,
  translationAffine,
} from "../nifti/mod.ts";
import type { Affine } from "../nifti/mod.ts";

/** Parameters of {@linkcode preprocessHeadCt}. */
export interface HeadCtParams {
  readonly spacingMm: number;
  /** [D, H, W] = [z, y, x] voxels. */
  readonly shape: readonly [number, number, number];
  readonly windowHU: readonly [number, number];
  readonly foregroundHU: number;
}

/** A preprocessed volume on the output grid (x fastest). */
export interface HeadCtVolume {
  readonly image: Float32Array;
  readonly foreground: Uint8Array;
  readonly mask?: Uint8Array;
  /** Output voxel (x, y, z) → source voxel: the source affine times this is the output grid's affine. */
  readonly toSource: Affine;
}

const AIR_HU = -1024;

/** Preprocesses a HU volume (and its optional anomaly mask) of grid [X, Y, Z] and voxel size [x, y, z]. */
export function preprocessHeadCt(
  hu: Float32Array,
  grid: Grid,
  spacing: readonly [number, number, number],
  params: HeadCtParams,
  name: string,
  mask?: Float32Array,
): HeadCtVolume {
  const iso = grid.map((n, a) =>
    Math.max(1, Math.round((n * spacing[a]!) / params.spacingMm))
  ) as unknown as Grid;
  const s = [0, 1, 2].map((a) => params.spacingMm / spacing[a]!);
  const map: Affine = [
    [s[0]!, 0, 0, 0.5 * s[0]! - 0.5],
    [0, s[1]!, 0, 0.5 * s[1]! - 0.5],
    [0, 0, s[2]!, 0.5 * s[2]! - 0.5],
    [0, 0, 0, 1],
  ];
  const res = sampleAffine(hu, grid, iso, map, AIR_HU);
  const head = fillHoles(threshold(res, params.foregroundHU), iso);
  const box = boundingBox(head, iso);
  if (!box) throw new Error(`${name}: empty foreground (no voxel above ${params.foregroundHU} HU)`);
  const out: Grid = [params.shape[2], params.shape[1], params.shape[0]];
  const origin = [0, 1, 2].map((a) =>
    Math.round((box[0][a]! + box[1][a]!) / 2 - out[a]! / 2)
  ) as unknown as Grid;
  const [lo, hi] = params.windowHU;
  const image = padCropAt(res, iso, out, origin, AIR_HU);
  for (let i = 0; i < image.length; i++) image[i] = Math.min(1, Math.max(0, (image[i]! - lo) / (hi - lo)));
  const foreground = threshold(padCropAt(Float32Array.from(head), iso, out, origin), 0.5);
  const m = mask
    ? threshold(
      padCropAt(
        sampleAffine(Float32Array.from(mask, (x) => (x > 0 ? 1 : 0)), grid, iso, map),
        iso,
        out,
        origin,
      ),
      0.5,
    )
    : undefined;
  const toSource = multiplyAffine(map, translationAffine(origin));
  return { image, foreground, ...(m ? { mask: m } : {}), toSource };
}

/** Marks as foreground every pixel not reachable from a slice's border through background (per axial slice). */
export function fillHoles(mask: Uint8Array, grid: Grid): Uint8Array {
  const [x, y, z] = grid;
  const out = new Uint8Array(mask.length).fill(1);
  const stack: number[] = [];
  for (let k = 0; k < z; k++) {
    const base = k * x * y;
    const seed = (i: number, j: number) => {
      const p = base + j * x + i;
      if (!mask[p] && out[p]) (out[p] = 0), stack.push(p);
    };
    for (let i = 0; i < x; i++) seed(i, 0), seed(i, y - 1);
    for (let j = 0; j < y; j++) seed(0, j), seed(x - 1, j);
    while (stack.length) {
      const p = stack.pop()!;
      const i = (p - base) % x, j = Math.floor((p - base) / x);
      if (i > 0) seed(i - 1, j);
      if (i < x - 1) seed(i + 1, j);
      if (j > 0) seed(i, j - 1);
      if (j < y - 1) seed(i, j + 1);
    }
  }
  return out;
}

function boundingBox(mask: Uint8Array, grid: Grid): [number[], number[]] | undefined {
  const lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
  for (let k = 0, p = 0; k < grid[2]; k++) {
    for (let j = 0; j < grid[1]; j++) {
      for (let i = 0; i < grid[0]; i++, p++) {
        if (!mask[p]) continue;
        if (i < lo[0]!) lo[0] = i;
        if (i > hi[0]!) hi[0] = i;
        if (j < lo[1]!) lo[1] = j;
        if (j > hi[1]!) hi[1] = j;
        if (k < lo[2]!) lo[2] = k;
        if (k > hi[2]!) hi[2] = k;
      }
    }
  }
  return hi[0]! < 0 ? undefined : [lo, hi];
}
