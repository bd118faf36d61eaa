/**
 * Resampling voxel grids: trilinear sampling through an affine (augmentation, isotropic resampling) and
 * bilinear/trilinear resizing. Volumes are single-channel, x fastest: index = x + X·(y + Y·z).
 * @module
 */
import type { Affine } from "./affine.ts";

/** A spatial grid size [X, Y, Z] (x fastest in memory). */
export type Grid = readonly [number, number, number];

/**
 * Samples `src` (grid `srcShape`) at every voxel of a `dstShape` grid; `dstToSrc` maps a destination voxel
 * index (x, y, z) to a source voxel position. Trilinear; positions more than half a voxel outside the source
 * take `fill`, positions within half a voxel of the edge take the edge value.
 */
export function sampleAffine(
  src: Float32Array,
  srcShape: Grid,
  dstShape: Grid,
  dstToSrc: Affine,
  fill = 0,
): Float32Array {
  const [sx, sy, sz] = srcShape;
  const [dx, dy, dz] = dstShape;
  if (src.length !== sx * sy * sz) {
    throw new Error(`sampleAffine: ${src.length} values for grid [${srcShape}]`);
  }
  const out = new Float32Array(dx * dy * dz);
  const m = dstToSrc;
  const sxy = sx * sy;
  let o = 0;
  for (let k = 0; k < dz; k++) {
    for (let j = 0; j < dy; j++) {
      // Position at i = 0 and its step along i, so the inner loop only adds.
      let px = m[0]![1]! * j + m[0]![2]! * k + m[0]![3]!;
      let py = m[1]![1]! * j + m[1]![2]! * k + m[1]![3]!;
      let pz = m[2]![1]! * j + m[2]![2]! * k + m[2]![3]!;
      const ax = m[0]![0]!, ay = m[1]![0]!, az = m[2]![0]!;
      for (let i = 0; i < dx; i++, px += ax, py += ay, pz += az, o++) {
        if (px < -0.5 || py < -0.5 || pz < -0.5 || px > sx - 0.5 || py > sy - 0.5 || pz > sz - 0.5) {
          out[o] = fill;
          continue;
        }
        const x = Math.min(Math.max(px, 0), sx - 1);
        const y = Math.min(Math.max(py, 0), sy - 1);
        const z = Math.min(Math.max(pz, 0), sz - 1);
        const x0 = Math.floor(x), y0 = Math.floor(y), z0 = Math.floor(z);
        const fx = x - x0, fy = y - y0, fz = z - z0;
        const x1 = x0 + 1 < sx ? 1 : 0, y1 = y0 + 1 < sy ? sx : 0, z1 = z0 + 1 < sz ? sxy : 0;
        const b = x0 + sx * y0 + sxy * z0;
        const c00 = src[b]! + fx * (src[b + x1]! - src[b]!);
        const c10 = src[b + y1]! + fx * (src[b + y1 + x1]! - src[b + y1]!);
        const c01 = src[b + z1]! + fx * (src[b + z1 + x1]! - src[b + z1]!);
        const c11 = src[b + z1 + y1]! + fx * (src[b + z1 + y1 + x1]! - src[b + z1 + y1]!);
        const c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
        out[o] = c0 + fz * (c1 - c0);
      }
    }
  }
  return out;
}

/** The destination→source map of a resize with half-voxel-centred sampling (no antialiasing). */
export function resizeMap(srcShape: Grid, dstShape: Grid): Affine {
  const s = [0, 1, 2].map((a) => srcShape[a]! / dstShape[a]!);
  return [
    [s[0]!, 0, 0, 0.5 * s[0]! - 0.5],
    [0, s[1]!, 0, 0.5 * s[1]! - 0.5],
    [0, 0, s[2]!, 0.5 * s[2]! - 0.5],
    [0, 0, 0, 1],
  ];
}

/** Trilinear resize of a volume to `dstShape` (half-voxel centred, edge values beyond the border). */
export function resizeVolume(src: Float32Array, srcShape: Grid, dstShape: Grid): Float32Array {
  return sampleAffine(src, srcShape, dstShape, resizeMap(srcShape, dstShape));
}

/** Bilinear resize of every z slice of a volume to `width` × `height`; the slice count is kept. */
export function resizeSlices(src: Float32Array, srcShape: Grid, width: number, height: number): Float32Array {
  const map = resizeMap(srcShape, [width, height, srcShape[2]]);
  return sampleAffine(src, srcShape, [width, height, srcShape[2]], map);
}

/** Pads (or crops) a volume about its centre to `dstShape`, filling new voxels with `fill`. */
export function padCropCentre(src: Float32Array, srcShape: Grid, dstShape: Grid, fill = 0): Float32Array {
  const off = [0, 1, 2].map((a) => Math.floor((srcShape[a]! - dstShape[a]!) / 2));
  return padCropAt(src, srcShape, dstShape, off as unknown as Grid, fill);
}

/** Copies the box of size `dstShape` whose first voxel is `origin` in the source (may lie outside it). */
export function padCropAt(
  src: Float32Array,
  srcShape: Grid,
  dstShape: Grid,
  origin: Grid,
  fill = 0,
): Float32Array {
  const [sx, sy, sz] = srcShape;
  const [dx, dy, dz] = dstShape;
  const out = new Float32Array(dx * dy * dz).fill(fill);
  const i0 = Math.max(0, -origin[0]), i1 = Math.min(dx, sx - origin[0]);
  if (i1 <= i0) return out;
  for (let k = 0; k < dz; k++) {
    const z = k + origin[2];
    if (z < 0 || z >= sz) continue;
    for (let j = 0; j < dy; j++) {
      const y = j + origin[1];
      if (y < 0 || y >= sy) continue;
      const s = (z * sy + y) * sx + origin[0];
      out.set(src.subarray(s + i0, s + i1), (k * dy + j) * dx + i0);
    }
  }
  return out;
}

/**
 * The destination→source voxel map of a rotation (`anglesDeg` about x, y, z), isotropic `scale` and shift
 * `shiftMm`, all about the grid centre and in mm (so anisotropic voxels rotate correctly).
 */
export function rigidScaleMap(
  grid: Grid,
  spacing: readonly [number, number, number],
  anglesDeg: readonly [number, number, number],
  scale: number,
  shiftMm: readonly [number, number, number],
): Affine {
  const [ax, ay, az] = anglesDeg.map((a) => (a * Math.PI) / 180) as [number, number, number];
  const rx = [[1, 0, 0], [0, Math.cos(ax), -Math.sin(ax)], [0, Math.sin(ax), Math.cos(ax)]];
  const ry = [[Math.cos(ay), 0, Math.sin(ay)], [0, 1, 0], [-Math.sin(ay), 0, Math.cos(ay)]];
  const rz = [[Math.cos(az), -Math.sin(az), 0], [Math.sin(az), Math.cos(az), 0], [0, 0, 1]];
  const mul = (a: number[][], b: number[][]) =>
    a.map((row) => [0, 1, 2].map((c) => row.reduce((s, x, k) => s + x * b[k]![c]!, 0)));
  const r = mul(rz, mul(ry, rx));
  const centre = grid.map((n) => (n - 1) / 2);
  const out: Affine = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]];
  for (let i = 0; i < 3; i++) {
    let off = centre[i]! + shiftMm[i]! / spacing[i]!;
    for (let j = 0; j < 3; j++) {
      const l = (r[i]![j]! * scale * spacing[j]!) / spacing[i]!;
      out[i]![j] = l;
      off -= l * centre[j]!;
    }
    out[i]![3] = off;
  }
  return out;
}
