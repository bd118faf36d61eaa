/**
 * Synthetic lesions (the paper's §7.4): spheres (3D) or disks (2D, one slice) of uniform random diameter in mm,
 * centred on a random foreground voxel, multiplying the intensity of every channel inside lesion ∩ foreground.
 * The label is exactly lesion ∩ foreground. Values are not clipped, so lesions may exceed the image's range.
 * @module
 */
import type { Rng } from "../rng.ts";

/** Options shared by {@linkcode addSphereLesions} and {@linkcode addDiskLesions}. */
export interface LesionOptions {
  /** Lesions per volume (spheres) or per lesioned slice (disks); default 1. */
  readonly count?: number;
  /** Diameter range in mm, drawn uniformly; default [5, 50]. */
  readonly diameterMm?: readonly [number, number];
  /** Intensity factor inside the lesion; default 2. */
  readonly factor?: number;
}

/** Where a lesion was put. */
export interface Lesion {
  /** Centre voxel [z, y, x]. */
  readonly centre: readonly [number, number, number];
  /** Diameter in mm. */
  readonly diameterMm: number;
}

/** An image with lesions added, its exact mask and the lesions placed. */
export interface LesionResult {
  /** [D, H, W, C], a new array (the input is left as it was). */
  readonly image: Float32Array;
  /** [D, H, W], 1 inside lesion ∩ foreground. */
  readonly label: Uint8Array;
  readonly lesions: readonly Lesion[];
}

type Shape4 = readonly [number, number, number, number];

/**
 * Adds `count` spheres to a volume `image` of `shape` [D, H, W, C] with voxel `spacing` [z, y, x] mm.
 * Throws when the foreground is empty (nowhere to put a lesion).
 *
 * @example
 * ```ts
 * import { Rng } from "../rng.ts";
 * import { addSphereLesions } from "./spheres.ts";
 * const shape = [20, 20, 20, 1] as const;
 * const fg = new Uint8Array(8000).fill(1);
 * const out = addSphereLesions(new Float32Array(8000).fill(0.5), shape, fg, [1, 1, 1], new Rng(1));
 * console.assert(out.label.some((v) => v === 1));
 * ```
 */
export function addSphereLesions(
  image: Float32Array,
  shape: Shape4,
  foreground: Uint8Array,
  spacing: readonly [number, number, number],
  rng: Rng,
  options: LesionOptions = {},
): LesionResult {
  check(image, shape, foreground, "addSphereLesions");
  const fgIndex = foregroundIndex(foreground, 0, foreground.length);
  if (fgIndex.length === 0) throw new Error("addSphereLesions: empty foreground, nowhere to put a lesion");
  const out = image.slice();
  const label = new Uint8Array(foreground.length);
  const lesions: Lesion[] = [];
  const [, h, w] = shape;
  for (let n = 0; n < (options.count ?? 1); n++) {
    const at = fgIndex[rng.int(fgIndex.length)]!;
    const centre = [Math.floor(at / (h * w)), Math.floor(at / w) % h, at % w] as const;
    const diameterMm = drawDiameter(rng, options);
    paint(out, label, shape, foreground, spacing, centre, diameterMm, options.factor ?? 2, [0, shape[0]]);
    lesions.push({ centre, diameterMm });
  }
  return { image: out, label, lesions };
}

/**
 * Adds `count` disks to every slice of a stack [D, H, W, C] that has foreground, each disk confined to its
 * slice (in-plane `spacing` [y, x] mm from spacing[1..2]).
 */
export function addDiskLesions(
  image: Float32Array,
  shape: Shape4,
  foreground: Uint8Array,
  spacing: readonly [number, number, number],
  rng: Rng,
  options: LesionOptions = {},
): LesionResult {
  check(image, shape, foreground, "addDiskLesions");
  const [d, h, w] = shape;
  const out = image.slice();
  const label = new Uint8Array(foreground.length);
  const lesions: Lesion[] = [];
  for (let z = 0; z < d; z++) {
    const fgIndex = foregroundIndex(foreground, z * h * w, (z + 1) * h * w);
    if (fgIndex.length === 0) continue;
    for (let n = 0; n < (options.count ?? 1); n++) {
      const at = fgIndex[rng.int(fgIndex.length)]!;
      const centre = [z, Math.floor(at / w) % h, at % w] as const;
      const diameterMm = drawDiameter(rng, options);
      paint(out, label, shape, foreground, spacing, centre, diameterMm, options.factor ?? 2, [z, z + 1]);
      lesions.push({ centre, diameterMm });
    }
  }
  return { image: out, label, lesions };
}

function check(image: Float32Array, shape: Shape4, foreground: Uint8Array, where: string): void {
  const n = shape[0] * shape[1] * shape[2];
  if (image.length !== n * shape[3] || foreground.length !== n) {
    throw new Error(
      `${where}: image (${image.length}) and foreground (${foreground.length}) do not match shape [${
        shape.join(", ")
      }]`,
    );
  }
}

function drawDiameter(rng: Rng, options: LesionOptions): number {
  const [lo, hi] = options.diameterMm ?? [5, 50];
  return rng.uniform(lo, hi);
}

function foregroundIndex(foreground: Uint8Array, from: number, to: number): Int32Array {
  let n = 0;
  for (let i = from; i < to; i++) if (foreground[i]) n++;
  const out = new Int32Array(n);
  n = 0;
  for (let i = from; i < to; i++) if (foreground[i]) out[n++] = i;
  return out;
}

function paint(
  image: Float32Array,
  label: Uint8Array,
  shape: Shape4,
  foreground: Uint8Array,
  spacing: readonly [number, number, number],
  centre: readonly [number, number, number],
  diameterMm: number,
  factor: number,
  zRange: readonly [number, number],
): void {
  const [, h, w, c] = shape;
  const r = diameterMm / 2, r2 = r * r;
  const [sz, sy, sx] = spacing;
  const [cz, cy, cx] = centre;
  const z0 = Math.max(zRange[0], Math.ceil(cz - r / sz)),
    z1 = Math.min(zRange[1] - 1, Math.floor(cz + r / sz));
  for (let z = z0; z <= z1; z++) {
    const dz2 = ((z - cz) * sz) ** 2;
    const y0 = Math.max(0, Math.ceil(cy - r / sy)), y1 = Math.min(h - 1, Math.floor(cy + r / sy));
    for (let y = y0; y <= y1; y++) {
      const dzy2 = dz2 + ((y - cy) * sy) ** 2;
      if (dzy2 > r2) continue;
      const x0 = Math.max(0, Math.ceil(cx - r / sx)), x1 = Math.min(w - 1, Math.floor(cx + r / sx));
      for (let x = x0; x <= x1; x++) {
        const v = (z * h + y) * w + x;
        // A voxel already in an earlier lesion is not brightened twice.
        if (!foreground[v] || label[v] || dzy2 + ((x - cx) * sx) ** 2 > r2) continue;
        label[v] = 1;
        for (let k = 0; k < c; k++) image[v * c + k] = image[v * c + k]! * factor;
      }
    }
  }
}
