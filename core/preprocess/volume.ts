/**
 * The 3D preprocessing of NIfTI datasets (folder3d, bids3d): per-channel division by a foreground percentile and clipping
 * to [0, 1] (as BraTS), then an isotropic cube centred on the foreground's bounding box (its largest extent in
 * mm plus a margin) resampled trilinearly to `size`³. Masks are resampled and thresholded at 0.5.
 * @module
 */
import type { Case } from "../dataset.ts";
import {
  type Affine,
  type Grid,
  multiplyAffine,
  normalisePercentile,
  sampleAffine,
  threshold,
} from "../nifti/mod.ts";

/** Parameters of {@linkcode preprocessVolume}. */
export interface VolumeParams {
  /** Output cube side in voxels. */
  readonly size: number;
  /** Foreground percentile each channel is divided by. */
  readonly percentile: number;
  /** Relative margin added to the foreground's largest extent. */
  readonly margin: number;
}

/** One volume's inputs on a common grid (x fastest). */
export interface VolumeInput {
  readonly id: string;
  /** One array per channel. */
  readonly channels: readonly Float32Array[];
  /** [X, Y, Z]. */
  readonly grid: Grid;
  /** Voxel size [x, y, z] mm. */
  readonly spacing: readonly [number, number, number];
  /** Foreground mask; when absent, the union of the channels' > 0 voxels. */
  readonly foreground?: Uint8Array;
  /** Anomaly mask (> 0 is anomalous). */
  readonly label?: Float32Array;
  /** Names the source in errors. */
  readonly name: string;
  /** Voxel → world affine of `grid`; the case then carries its own grid's affine. */
  readonly affine?: Affine;
}

/** Preprocesses a volume into one case [size, size, size, C] with spacing [s, s, s]. */
export function preprocessVolume(input: VolumeInput, params: VolumeParams): Case {
  const { grid, spacing, name } = input;
  const fg = input.foreground ?? unionPositive(input.channels);
  const box = boundingBox(fg, grid);
  if (!box) throw new Error(`${name}: empty foreground (no voxel > 0)`);
  const extent = [0, 1, 2].map((a) => (box.hi[a]! - box.lo[a]! + 1) * spacing[a]!);
  const side = Math.max(...extent) * (1 + params.margin);
  const n = params.size;
  const vox = side / n;
  // Output voxel i along axis a sits at centre − side/2 + (i + 0.5)·vox mm; source index = mm / spacing − 0.5.
  const row = (a: number): [number, number, number, number] => {
    const centre = ((box.lo[a]! + box.hi[a]! + 1) / 2) * spacing[a]!;
    const r: [number, number, number, number] = [0, 0, 0, 0];
    r[a] = vox / spacing[a]!;
    r[3] = (centre - side / 2 + 0.5 * vox) / spacing[a]! - 0.5;
    return r;
  };
  const map: Affine = [row(0), row(1), row(2), [0, 0, 0, 1]];
  const out: Grid = [n, n, n];
  const sample = (v: Float32Array) => sampleAffine(v, grid, out, map);
  const channels = input.channels.map((c, i) =>
    sample(normalisePercentile(c, fg, params.percentile, `${name} channel ${i}`))
  );
  const c = channels.length;
  const voxels = n * n * n;
  const image = new Float32Array(voxels * c);
  for (let p = 0; p < voxels; p++) for (let k = 0; k < c; k++) image[p * c + k] = channels[k]![p]!;
  const foreground = threshold(sample(Float32Array.from(fg)), 0.5);
  const label = input.label
    ? threshold(sample(Float32Array.from(input.label, (x) => (x > 0 ? 1 : 0))), 0.5)
    : undefined;
  return {
    id: input.id,
    shape: [n, n, n, c],
    image,
    foreground,
    ...(label ? { label } : {}),
    spacing: [vox, vox, vox],
    ...(input.affine ? { affine: multiplyAffine(input.affine, map) } : {}),
  };
}

function unionPositive(channels: readonly Float32Array[]): Uint8Array {
  const m = new Uint8Array(channels[0]?.length ?? 0);
  for (const c of channels) for (let i = 0; i < c.length; i++) if (c[i]! > 0) m[i] = 1;
  return m;
}

function boundingBox(mask: Uint8Array, grid: Grid): { lo: number[]; hi: number[] } | undefined {
  const lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
  for (let k = 0, p = 0; k < grid[2]; k++) {
    for (let j = 0; j < grid[1]; j++) {
      for (let i = 0; i < grid[0]; i++, p++) {
        if (!mask[p]) continue;
        const at = [i, j, k];
        for (let a = 0; a < 3; a++) {
          if (at[a]! < lo[a]!) lo[a] = at[a]!;
          if (at[a]! > hi[a]!) hi[a] = at[a]!;
        }
      }
    }
  }
  return hi[0]! < 0 ? undefined : { lo, hi };
}
