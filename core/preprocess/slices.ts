/**
 * The paper's 2D preprocessing of one multi-channel volume: per-channel division by the 99th percentile of its
 * foreground, clip to [0, 1], keep axial slices from the first to the last whose channel-mean summed over the
 * slice exceeds a threshold, pad in-plane to a square, bilinear resize (masks: bilinear then > 0.5).
 * Datasets of 2D slices share it, so that their slices are comparable.
 * @module
 */
import type { Case } from "../dataset.ts";
import {
  multiplyAffine,
  normalisePercentile,
  padCropCentre,
  resizeMap,
  resizeSlices,
  threshold,
  translationAffine,
} from "../nifti/mod.ts";
import type { Affine, Grid } from "../nifti/mod.ts";

/** Parameters of {@linkcode preprocessSlices}. */
export interface SliceParams {
  /** Output slice size (height = width), e.g. 128. */
  readonly size: number;
  /** Percentile of the foreground each channel is divided by, e.g. 99. */
  readonly percentile: number;
  /** A slice is brain when its channel-mean summed over the slice exceeds this, e.g. 0.5. */
  readonly sliceThreshold: number;
}

/** One volume's inputs, all on the same canonical grid (x fastest). */
export interface SliceInput {
  /** Case id. */
  readonly id: string;
  /** One array per channel. */
  readonly channels: readonly Float32Array[];
  /** [X, Y, Z]. */
  readonly grid: Grid;
  /** Voxel size [x, y, z] mm. */
  readonly spacing: readonly [number, number, number];
  /** Brain mask; when absent each channel's own > 0 voxels are its foreground and the case's is their union. */
  readonly foreground?: Uint8Array;
  /** Anomaly mask (> 0 is anomalous). */
  readonly label?: Float32Array | Uint8Array;
  /** Names the source in errors. */
  readonly name: string;
  /** The channels are already normalised (skip the percentile division and clipping). */
  readonly normalised?: boolean;
  /** Voxel → world affine of `grid`; the case then carries the affine of its stack of slices. */
  readonly affine?: Affine;
}

/**
 * Preprocesses a volume into a stack of slices [D, H, W, C]. With `healthyOnly`, slices with any anomalous
 * pixel (after resizing) are dropped and no label is returned (train and validation cases).
 */
export function preprocessSlices(input: SliceInput, params: SliceParams, healthyOnly: boolean): Case {
  const { grid, channels, name } = input;
  const n = grid[0] * grid[1] * grid[2];
  for (const [i, c] of channels.entries()) {
    if (c.length !== n) throw new Error(`${name}: channel ${i} has ${c.length} voxels, expected ${n}`);
  }
  if (input.foreground && input.foreground.length !== n) {
    throw new Error(`${name}: foreground does not match the image grid`);
  }
  const union = input.foreground ?? unionPositive(channels);
  if (!union.some((v) => v !== 0)) throw new Error(`${name}: empty foreground (brain mask has no voxels)`);
  const normalised = input.normalised
    ? channels
    : channels.map((c, i) =>
      normalisePercentile(c, input.foreground ?? threshold(c, 0), params.percentile, `${name} channel ${i}`)
    );
  const [z0, z1] = sliceRange(normalised, grid, params.sliceThreshold, name);
  const side = Math.max(grid[0], grid[1]);
  const crop = (v: Float32Array) =>
    padCropCentre(v.subarray(z0 * grid[0] * grid[1], (z1 + 1) * grid[0] * grid[1]), [
      grid[0],
      grid[1],
      z1 - z0 + 1,
    ], [side, side, z1 - z0 + 1]);
  const sub: Grid = [side, side, z1 - z0 + 1];
  const resize = (v: Float32Array) => resizeSlices(crop(v), sub, params.size, params.size);
  const image = normalised.map(resize);
  const fg = threshold(resize(Float32Array.from(union)), 0.5);
  const label = input.label
    ? threshold(resize(Float32Array.from(input.label, (x) => (x > 0 ? 1 : 0))), 0.5)
    : undefined;
  const plane = params.size * params.size;
  let keep = Array.from({ length: sub[2] }, (_, z) => z);
  if (healthyOnly && label) {
    keep = keep.filter((z) => !label.subarray(z * plane, (z + 1) * plane).some((v) => v !== 0));
  }
  const c = channels.length;
  const affine = input.affine && stackAffine(input.affine, grid, side, z0, sub, params.size, keep);
  const out = new Float32Array(keep.length * plane * c);
  const outFg = new Uint8Array(keep.length * plane);
  const outLabel = new Uint8Array(keep.length * plane);
  keep.forEach((z, d) => {
    for (let p = 0; p < plane; p++) {
      const src = z * plane + p, dst = d * plane + p;
      for (let k = 0; k < c; k++) out[dst * c + k] = image[k]![src]!;
      outFg[dst] = fg[src]!;
      if (label) outLabel[dst] = label[src]!;
    }
  });
  return {
    id: input.id,
    shape: [keep.length, params.size, params.size, c],
    image: out,
    foreground: outFg,
    ...(label && !healthyOnly ? { label: outLabel } : {}),
    spacing: [
      input.spacing[2],
      (input.spacing[1] * side) / params.size,
      (input.spacing[0] * side) / params.size,
    ],
    ...(affine ? { affine } : {}),
  };
}

/**
 * The world affine of the kept, resized slices: crop to slices z0.., pad/crop in-plane about the centre,
 * resize in-plane, then the first kept slice. Undefined when dropped slices leave a gap in the stack.
 */
function stackAffine(
  source: Affine,
  grid: Grid,
  side: number,
  z0: number,
  sub: Grid,
  size: number,
  keep: readonly number[],
): Affine | undefined {
  if (keep.length === 0 || keep[keep.length - 1]! - keep[0]! !== keep.length - 1) return undefined;
  // padCropCentre's origin in the source, per in-plane axis.
  const origin = (n: number) => Math.floor((n - side) / 2);
  return [
    translationAffine([origin(grid[0]), origin(grid[1]), z0]),
    resizeMap(sub, [size, size, sub[2]]),
    translationAffine([0, 0, keep[0]!]),
  ].reduce(multiplyAffine, source);
}

function unionPositive(channels: readonly Float32Array[]): Uint8Array {
  const m = new Uint8Array(channels[0]?.length ?? 0);
  for (const c of channels) for (let i = 0; i < c.length; i++) if (c[i]! > 0) m[i] = 1;
  return m;
}

/** First and last slice whose channel-mean summed over the slice exceeds `min`. */
function sliceRange(
  channels: readonly Float32Array[],
  grid: Grid,
  min: number,
  name: string,
): [number, number] {
  const plane = grid[0] * grid[1];
  let first = -1, last = -1;
  for (let z = 0; z < grid[2]; z++) {
    let s = 0;
    for (const c of channels) for (let p = z * plane; p < (z + 1) * plane; p++) s += c[p]!;
    if (s / channels.length > min) {
      if (first < 0) first = z;
      last = z;
    }
  }
  if (first < 0) throw new Error(`${name}: no slice has enough signal (channel-mean sum > ${min})`);
  return [first, last];
}
