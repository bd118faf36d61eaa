/**
 * 4×4 affine helpers (row-major `number[][]`, voxel index → world mm) and the NIfTI quaternion form.
 * @module
 */

/** A 4×4 affine, row-major: `world = A · [i, j, k, 1]`. */
export type Affine = number[][];

/** The 4×4 identity. */
export function identityAffine(): Affine {
  return [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
}

/** The translation by `offset` (in the units of the space it acts on, e.g. voxels). */
export function translationAffine(offset: readonly [number, number, number]): Affine {
  return [[1, 0, 0, offset[0]], [0, 1, 0, offset[1]], [0, 0, 1, offset[2]], [0, 0, 0, 1]];
}

/** The product `a · b` of two 4×4 affines. */
export function multiplyAffine(a: Affine, b: Affine): Affine {
  const out = identityAffine();
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[r]![k]! * b[k]![c]!;
      out[r]![c] = s;
    }
  }
  return out;
}

/** The inverse of an affine whose last row is [0, 0, 0, 1]; throws when singular. */
export function invertAffine(a: Affine): Affine {
  const m = (r: number, c: number) => a[r]![c]!;
  const det = m(0, 0) * (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)) -
    m(0, 1) * (m(1, 0) * m(2, 2) - m(1, 2) * m(2, 0)) +
    m(0, 2) * (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0));
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error("affine is singular");
  const inv = [
    [
      (m(1, 1) * m(2, 2) - m(1, 2) * m(2, 1)) / det,
      (m(0, 2) * m(2, 1) - m(0, 1) * m(2, 2)) / det,
      (m(0, 1) * m(1, 2) - m(0, 2) * m(1, 1)) / det,
    ],
    [
      (m(1, 2) * m(2, 0) - m(1, 0) * m(2, 2)) / det,
      (m(0, 0) * m(2, 2) - m(0, 2) * m(2, 0)) / det,
      (m(0, 2) * m(1, 0) - m(0, 0) * m(1, 2)) / det,
    ],
    [
      (m(1, 0) * m(2, 1) - m(1, 1) * m(2, 0)) / det,
      (m(0, 1) * m(2, 0) - m(0, 0) * m(2, 1)) / det,
      (m(0, 0) * m(1, 1) - m(0, 1) * m(1, 0)) / det,
    ],
  ];
  const out = identityAffine();
  for (let r = 0; r < 3; r++) {
    let t = 0;
    for (let c = 0; c < 3; c++) {
      out[r]![c] = inv[r]![c]!;
      t -= inv[r]![c]! * m(c, 3);
    }
    out[r]![3] = t;
  }
  return out;
}

/** The length of each voxel axis (the columns of the 3×3 part): the voxel size in mm. */
export function voxelSizes(a: Affine): [number, number, number] {
  const len = (c: number) => Math.hypot(a[0]![c]!, a[1]![c]!, a[2]![c]!);
  return [len(0), len(1), len(2)];
}

/** The NIfTI quaternion form of an affine: rotation (b, c, d), offsets, voxel sizes and qfac. */
export interface Quatern {
  /** Quaternion b, c, d (a is implied, ≥ 0). */
  readonly b: number;
  readonly c: number;
  readonly d: number;
  /** Translation (qoffset_x, y, z). */
  readonly offset: [number, number, number];
  /** Voxel sizes (pixdim[1..3]). */
  readonly pixdim: [number, number, number];
  /** +1 or −1 (pixdim[0]): −1 for a left-handed voxel grid. */
  readonly qfac: 1 | -1;
}

/**
 * Converts an affine to the NIfTI quaternion form (the rotation part is orthonormalised first, so shears are
 * dropped; the sform keeps the exact affine).
 */
export function affineToQuatern(a: Affine): Quatern {
  const pixdim = voxelSizes(a);
  // Columns normalised, then Gram–Schmidt so the rotation is exactly orthonormal.
  const col = (c: number) => [a[0]![c]! / pixdim[c]!, a[1]![c]! / pixdim[c]!, a[2]![c]! / pixdim[c]!];
  const dot = (u: number[], v: number[]) => u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!;
  const unit = (u: number[]) => {
    const n = Math.hypot(u[0]!, u[1]!, u[2]!);
    return u.map((x) => x / n);
  };
  const x = unit(col(0));
  let y = col(1);
  y = unit(y.map((v, i) => v - dot(y, x) * x[i]!));
  let z = col(2);
  z = unit(z.map((v, i) => v - dot(z, x) * x[i]! - dot(z, y) * y[i]!));
  const det = x[0]! * (y[1]! * z[2]! - z[1]! * y[2]!) - y[0]! * (x[1]! * z[2]! - z[1]! * x[2]!) +
    z[0]! * (x[1]! * y[2]! - y[1]! * x[2]!);
  const qfac = det < 0 ? -1 : 1;
  if (qfac < 0) z = z.map((v) => -v);
  // r[row][col] with columns x, y, z.
  const r = [[x[0]!, y[0]!, z[0]!], [x[1]!, y[1]!, z[1]!], [x[2]!, y[2]!, z[2]!]];
  const R = (i: number, j: number) => r[i - 1]![j - 1]!;
  let qa = R(1, 1) + R(2, 2) + R(3, 3) + 1;
  let qb: number, qc: number, qd: number;
  if (qa > 0.5) {
    qa = 0.5 * Math.sqrt(qa);
    qb = 0.25 * (R(3, 2) - R(2, 3)) / qa;
    qc = 0.25 * (R(1, 3) - R(3, 1)) / qa;
    qd = 0.25 * (R(2, 1) - R(1, 2)) / qa;
  } else {
    const xd = 1 + R(1, 1) - (R(2, 2) + R(3, 3));
    const yd = 1 + R(2, 2) - (R(1, 1) + R(3, 3));
    const zd = 1 + R(3, 3) - (R(1, 1) + R(2, 2));
    if (xd > 1) {
      qb = 0.5 * Math.sqrt(xd);
      qc = 0.25 * (R(1, 2) + R(2, 1)) / qb;
      qd = 0.25 * (R(1, 3) + R(3, 1)) / qb;
      qa = 0.25 * (R(3, 2) - R(2, 3)) / qb;
    } else if (yd > 1) {
      qc = 0.5 * Math.sqrt(yd);
      qb = 0.25 * (R(1, 2) + R(2, 1)) / qc;
      qd = 0.25 * (R(2, 3) + R(3, 2)) / qc;
      qa = 0.25 * (R(1, 3) - R(3, 1)) / qc;
    } else {
      qd = 0.5 * Math.sqrt(zd);
      qb = 0.25 * (R(1, 3) + R(3, 1)) / qd;
      qc = 0.25 * (R(2, 3) + R(3, 2)) / qd;
      qa = 0.25 * (R(2, 1) - R(1, 2)) / qd;
    }
    if (qa < 0) {
      qb = -qb;
      qc = -qc;
      qd = -qd;
    }
  }
  return { b: qb, c: qc, d: qd, offset: [a[0]![3]!, a[1]![3]!, a[2]![3]!], pixdim, qfac };
}

/** The affine of a NIfTI quaternion form (the inverse of {@linkcode affineToQuatern} for rigid+scale affines). */
export function quaternToAffine(q: Quatern): Affine {
  let b = q.b, c = q.c, d = q.d;
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    const n = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= n;
    c *= n;
    d *= n;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  const [dx, dy, dzRaw] = q.pixdim.map((p) => (p > 0 ? p : 1)) as [number, number, number];
  const dz = q.qfac < 0 ? -dzRaw : dzRaw;
  return [
    [(a * a + b * b - c * c - d * d) * dx, 2 * (b * c - a * d) * dy, 2 * (b * d + a * c) * dz, q.offset[0]],
    [2 * (b * c + a * d) * dx, (a * a + c * c - b * b - d * d) * dy, 2 * (c * d - a * b) * dz, q.offset[1]],
    [2 * (b * d - a * c) * dx, 2 * (c * d + a * b) * dy, (a * a + d * d - c * c - b * b) * dz, q.offset[2]],
    [0, 0, 0, 1],
  ];
}
