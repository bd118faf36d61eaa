/**
 * Training augmentation for 3D cases: a random left–right flip and a small random rotation/scale/shift.
 * @module
 */
import type { Case } from "../../core/dataset.ts";
import { type Grid, multiplyAffine, rigidScaleMap, sampleAffine, threshold } from "../../core/nifti/mod.ts";
import type { Rng } from "../../core/rng.ts";

/** Ranges of {@linkcode augmentVolume}. */
export interface AugmentOptions {
  /** Flip along x (left–right) with probability 0.5; default true. */
  readonly flip?: boolean;
  /** Largest rotation about each axis, degrees; default 10. */
  readonly rotationDeg?: number;
  /** Largest relative scale change; default 0.05. */
  readonly scale?: number;
  /** Largest shift per axis, mm; default 4. */
  readonly translationMm?: number;
}

/**
 * Returns an augmented copy of a 3D case [D, H, W, C] (the runner applies it to training volumes); masks are
 * resampled trilinearly and thresholded at 0.5; the affine (if any) follows the warp. Same rng state, same
 * result.
 *
 * @example
 * ```ts ignore
 * const aug = augmentVolume(trainCase, rng.fork("aug"));
 * ```
 */
export function augmentVolume(c: Case, rng: Rng, options: AugmentOptions = {}): Case {
  const [d, h, w, ch] = c.shape;
  const grid: Grid = [w, h, d];
  const sp = c.spacing ?? [1, 1, 1];
  const sym = (a: number) => rng.uniform(-a, a);
  const rot = options.rotationDeg ?? 10, sc = options.scale ?? 0.05, tr = options.translationMm ?? 4;
  const map = rigidScaleMap(grid, [sp[2], sp[1], sp[0]], [sym(rot), sym(rot), sym(rot)], 1 + sym(sc), [
    sym(tr),
    sym(tr),
    sym(tr),
  ]);
  if ((options.flip ?? true) && rng.next() < 0.5) {
    // Flip the destination's x: x_src = f(w - 1 - x).
    for (let r = 0; r < 3; r++) {
      map[r]![3] = map[r]![3]! + map[r]![0]! * (w - 1);
      map[r]![0] = -map[r]![0]!;
    }
  }
  const n = d * h * w;
  const image = new Float32Array(n * ch);
  const channel = new Float32Array(n);
  for (let k = 0; k < ch; k++) {
    for (let i = 0; i < n; i++) channel[i] = c.image[i * ch + k]!;
    const out = sampleAffine(channel, grid, grid, map);
    for (let i = 0; i < n; i++) image[i * ch + k] = out[i]!;
  }
  const warpMask = (m: Uint8Array) => threshold(sampleAffine(Float32Array.from(m), grid, grid, map), 0.5);
  return {
    ...c,
    image,
    foreground: warpMask(c.foreground),
    ...(c.label ? { label: warpMask(c.label) } : {}),
    // The warped grid shows the source at `map`·voxel, so its world affine is the source's times map.
    ...(c.affine ? { affine: multiplyAffine(c.affine, map) } : {}),
  };
}
