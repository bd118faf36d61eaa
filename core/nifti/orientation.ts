/**
 * Canonical orientation: every volume is brought to RAS+ (voxel axes 0, 1, 2 increase toward the subject's
 * Right, Anterior and Superior, as in nibabel's `as_closest_canonical`) by axis permutations and flips only, so
 * no resampling happens and the original layout can be restored exactly.
 * @module
 */
import type { Affine } from "./affine.ts";

/** How a source voxel grid maps onto the canonical RAS+ grid. */
export interface Orientation {
  /** `perm[j]`: the source axis that becomes canonical axis j. */
  readonly perm: readonly [number, number, number];
  /** `flip[j]`: whether canonical axis j runs opposite to its source axis. */
  readonly flip: readonly [boolean, boolean, boolean];
  /** The source grid's spatial size [X, Y, Z]. */
  readonly sourceShape: readonly [number, number, number];
  /** The source file's affine (voxel → world mm). */
  readonly sourceAffine: Affine;
}

const PERMS: ReadonlyArray<readonly [number, number, number]> = [
  [0, 1, 2],
  [0, 2, 1],
  [1, 0, 2],
  [1, 2, 0],
  [2, 0, 1],
  [2, 1, 0],
];

/** Finds the permutation/flips that make `affine`'s voxel axes closest to RAS+. */
export function orientationOf(affine: Affine, shape: readonly [number, number, number]): Orientation {
  const weight = (j: number, i: number) => {
    const n = Math.hypot(affine[0]![i]!, affine[1]![i]!, affine[2]![i]!) || 1;
    return Math.abs(affine[j]![i]!) / n;
  };
  let best = PERMS[0]!;
  let bestScore = -1;
  for (const p of PERMS) {
    const score = weight(0, p[0]) + weight(1, p[1]) + weight(2, p[2]);
    if (score > bestScore + 1e-9) {
      best = p;
      bestScore = score;
    }
  }
  const flip = [0, 1, 2].map((j) => affine[j]![best[j]!]! < 0) as [boolean, boolean, boolean];
  return { perm: best, flip, sourceShape: [...shape] as [number, number, number], sourceAffine: affine };
}

/** Whether the orientation leaves the data as it is. */
export function isIdentityOrientation(o: Orientation): boolean {
  return o.perm[0] === 0 && o.perm[1] === 1 && o.perm[2] === 2 && !o.flip[0] && !o.flip[1] && !o.flip[2];
}

/** The canonical grid's spatial size. */
export function canonicalShape(o: Orientation): [number, number, number] {
  return [o.sourceShape[o.perm[0]]!, o.sourceShape[o.perm[1]]!, o.sourceShape[o.perm[2]]!];
}

/** The affine of the canonical grid (voxel → the same world mm as the source). */
export function canonicalAffine(o: Orientation): Affine {
  // T maps a canonical index to the source index: source = T · canonical.
  const t: Affine = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]];
  for (let j = 0; j < 3; j++) {
    const src = o.perm[j]!;
    t[src]![j] = o.flip[j] ? -1 : 1;
    t[src]![3] = o.flip[j] ? o.sourceShape[src]! - 1 : 0;
  }
  const out: Affine = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += o.sourceAffine[r]![k]! * t[k]![c]!;
      out[r]![c] = s;
    }
  }
  return out;
}

type Voxels = Float32Array | Uint8Array;

/**
 * Moves voxels between the source layout and the canonical layout (x fastest, then y, z, then any further
 * dims as whole 3D frames). `toCanonical` false undoes the canonicalisation.
 */
export function reorient<T extends Voxels>(data: T, o: Orientation, toCanonical: boolean): T {
  if (isIdentityOrientation(o)) return data;
  const [sx, sy, sz] = o.sourceShape;
  const srcStride = [1, sx, sx * sy];
  const cs = canonicalShape(o);
  const step = [0, 1, 2].map((j) => (o.flip[j] ? -1 : 1) * srcStride[o.perm[j]!]!);
  const start = [0, 1, 2].reduce(
    (s, j) => s + (o.flip[j] ? (o.sourceShape[o.perm[j]!]! - 1) * srcStride[o.perm[j]!]! : 0),
    0,
  );
  const frame = sx * sy * sz;
  const frames = data.length / frame;
  const out = new (data.constructor as { new (n: number): T })(data.length);
  for (let f = 0; f < frames; f++) {
    const base = f * frame;
    let c = base;
    for (let k = 0; k < cs[2]; k++) {
      for (let j = 0; j < cs[1]; j++) {
        let s = base + start + k * step[2]! + j * step[1]!;
        const s0 = step[0]!;
        if (toCanonical) {
          for (let i = 0; i < cs[0]; i++, s += s0) out[c++] = data[s]!;
        } else {
          for (let i = 0; i < cs[0]; i++, s += s0) out[s] = data[c++]!;
        }
      }
    }
  }
  return out;
}
