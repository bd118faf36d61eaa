/**
 * Simplex noise on a 256-periodic lattice in 3 and 4 dimensions (Perlin 2001, in Gustavson's 2005
 * formulation): gradients at the corners of the simplex containing a point, blended with radial
 * kernels of squared radius 0.6. Written on typed arrays for speed; the output is in about [-1, 1].
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { randomPermutation, SimplexNoise3 } from "./simplex_basis.ts";
 * const noise = new SimplexNoise3(randomPermutation(new Rng(1)));
 * const value = noise.at(0.5, 1.25, 3.0);
 * ```
 * @module
 */
import type { Rng } from "../../core/rng.ts";

/** The lattice period: the permutation holds this many entries. */
export const LATTICE_PERIOD = 256;

const F3 = 1 / 3;
const G3 = 1 / 6;
const F4 = (Math.sqrt(5) - 1) / 4;
const G4 = (5 - Math.sqrt(5)) / 20;
// Squared kernel radius; 0.6 (not 0.5) is Gustavson's choice, smoother at the cost of slight overlap.
const RADIUS2 = 0.6;
// Output gains that bring the extremes close to ±1 (Gustavson).
const GAIN3 = 32;
const GAIN4 = 27;

/** The 12 edge-midpoint gradients of a cube, [x, y, z] flattened, in Gustavson's order. */
const GRADIENTS3 = (() => {
  const g: number[] = [];
  for (const zero of [2, 1, 0]) {
    for (let s = 0; s < 4; s++) {
      const signs = [s & 1 ? -1 : 1, s & 2 ? -1 : 1];
      const v = [0, 0, 0];
      let k = 0;
      for (let axis = 0; axis < 3; axis++) if (axis !== zero) v[axis] = signs[k++]!;
      g.push(...v);
    }
  }
  return g;
})();

/** The 32 edge-midpoint gradients of a tesseract, [x, y, z, w] flattened, in Gustavson's order. */
const GRADIENTS4 = (() => {
  const g: number[] = [];
  for (let zero = 0; zero < 4; zero++) {
    for (let s = 0; s < 8; s++) {
      const signs = [s & 4 ? -1 : 1, s & 2 ? -1 : 1, s & 1 ? -1 : 1];
      const v = [0, 0, 0, 0];
      let k = 0;
      for (let axis = 0; axis < 4; axis++) if (axis !== zero) v[axis] = signs[k++]!;
      g.push(...v);
    }
  }
  return g;
})();

/** A uniformly random permutation of 0..255 drawn from `rng` (Fisher–Yates). */
export function randomPermutation(rng: Rng): Uint8Array {
  const perm = new Uint8Array(LATTICE_PERIOD);
  for (let i = 0; i < LATTICE_PERIOD; i++) perm[i] = i;
  for (let i = LATTICE_PERIOD - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm;
}

/** Doubles a 256-entry permutation so that nested lookups never need a wrap. */
function doubled(perm: Uint8Array): Uint8Array {
  if (perm.length !== LATTICE_PERIOD) {
    throw new Error(`simplex: permutation must have ${LATTICE_PERIOD} entries, got ${perm.length}`);
  }
  const p = new Uint8Array(2 * LATTICE_PERIOD);
  p.set(perm, 0);
  p.set(perm, LATTICE_PERIOD);
  return p;
}

/** Per hash value, one gradient component: avoids a modulo and an index multiply per corner. */
function gradientComponent(perm: Uint8Array, table: number[], dims: number, axis: number): Float64Array {
  const count = table.length / dims;
  return Float64Array.from(perm, (h) => table[(h % count) * dims + axis]!);
}

/** 3D simplex noise for one permutation. */
export class SimplexNoise3 {
  readonly #perm: Uint8Array;
  readonly #gx: Float64Array;
  readonly #gy: Float64Array;
  readonly #gz: Float64Array;

  /** Builds the noise for `perm`, a permutation of 0..255 (e.g. from {@linkcode randomPermutation}). */
  constructor(perm: Uint8Array) {
    this.#perm = doubled(perm);
    this.#gx = gradientComponent(this.#perm, GRADIENTS3, 3, 0);
    this.#gy = gradientComponent(this.#perm, GRADIENTS3, 3, 1);
    this.#gz = gradientComponent(this.#perm, GRADIENTS3, 3, 2);
  }

  /** The noise value at (x, y, z), in about [-1, 1]; exactly 0 at lattice vertices. */
  at(x: number, y: number, z: number): number {
    const one = new Float64Array(1);
    this.addRow(one, 1, x, 0, y, z, 1);
    return one[0]!;
  }

  /**
   * Adds `amplitude * noise(xStart + n * dx, y, z)` to `out[n]` for n < `count`: one image row of one
   * octave, with the tables held in locals for the whole row.
   */
  addRow(
    out: Float64Array,
    count: number,
    xStart: number,
    dx: number,
    y: number,
    z: number,
    amplitude: number,
  ): void {
    const p = this.#perm;
    const gx = this.#gx, gy = this.#gy, gz = this.#gz;
    const gain = GAIN3 * amplitude;
    for (let n = 0; n < count; n++) {
      const x = xStart + n * dx;
      const s = (x + y + z) * F3;
      const i = Math.floor(x + s) | 0;
      const j = Math.floor(y + s) | 0;
      const k = Math.floor(z + s) | 0;
      const t = (i + j + k) * G3;
      const x0 = x - i + t;
      const y0 = y - j + t;
      const z0 = z - k + t;
      // The cube splits into six tetrahedra; the coordinate order picks ours and its middle corners.
      let i1 = 0, j1 = 0, k1 = 0, i2 = 0, j2 = 0, k2 = 0;
      if (x0 >= y0) {
        if (y0 >= z0) i1 = i2 = j2 = 1; // x >= y >= z
        else if (x0 >= z0) i1 = i2 = k2 = 1; // x >= z > y
        else k1 = i2 = k2 = 1; // z > x >= y
      } else {
        if (y0 < z0) k1 = j2 = k2 = 1; // z > y > x
        else if (x0 < z0) j1 = j2 = k2 = 1; // y >= z > x
        else j1 = i2 = j2 = 1; // y > x >= z
      }
      const x1 = x0 - i1 + G3, y1 = y0 - j1 + G3, z1 = z0 - k1 + G3;
      const x2 = x0 - i2 + 2 * G3, y2 = y0 - j2 + 2 * G3, z2 = z0 - k2 + 2 * G3;
      const x3 = x0 - 1 + 3 * G3, y3 = y0 - 1 + 3 * G3, z3 = z0 - 1 + 3 * G3;
      const ii = i & 255, jj = j & 255, kk = k & 255;
      let sum = 0;
      let r = RADIUS2 - x0 * x0 - y0 * y0 - z0 * z0;
      if (r > 0) {
        const h = p[ii + p[jj + p[kk]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x0 + gy[h]! * y0 + gz[h]! * z0);
      }
      r = RADIUS2 - x1 * x1 - y1 * y1 - z1 * z1;
      if (r > 0) {
        const h = p[ii + i1 + p[jj + j1 + p[kk + k1]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x1 + gy[h]! * y1 + gz[h]! * z1);
      }
      r = RADIUS2 - x2 * x2 - y2 * y2 - z2 * z2;
      if (r > 0) {
        const h = p[ii + i2 + p[jj + j2 + p[kk + k2]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x2 + gy[h]! * y2 + gz[h]! * z2);
      }
      r = RADIUS2 - x3 * x3 - y3 * y3 - z3 * z3;
      if (r > 0) {
        const h = p[ii + 1 + p[jj + 1 + p[kk + 1]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x3 + gy[h]! * y3 + gz[h]! * z3);
      }
      out[n] = out[n]! + gain * sum;
    }
  }
}

/** 4D simplex noise for one permutation. */
export class SimplexNoise4 {
  readonly #perm: Uint8Array;
  readonly #gx: Float64Array;
  readonly #gy: Float64Array;
  readonly #gz: Float64Array;
  readonly #gw: Float64Array;

  /** Builds the noise for `perm`, a permutation of 0..255 (e.g. from {@linkcode randomPermutation}). */
  constructor(perm: Uint8Array) {
    this.#perm = doubled(perm);
    this.#gx = gradientComponent(this.#perm, GRADIENTS4, 4, 0);
    this.#gy = gradientComponent(this.#perm, GRADIENTS4, 4, 1);
    this.#gz = gradientComponent(this.#perm, GRADIENTS4, 4, 2);
    this.#gw = gradientComponent(this.#perm, GRADIENTS4, 4, 3);
  }

  /** The noise value at (x, y, z, w), in about [-1, 1]; exactly 0 at lattice vertices. */
  at(x: number, y: number, z: number, w: number): number {
    const one = new Float64Array(1);
    this.addRow(one, 1, x, 0, y, z, w, 1);
    return one[0]!;
  }

  /**
   * Adds `amplitude * noise(xStart + n * dx, y, z, w)` to `out[n]` for n < `count`: one volume row
   * of one octave, with the tables held in locals for the whole row.
   */
  addRow(
    out: Float64Array,
    count: number,
    xStart: number,
    dx: number,
    y: number,
    z: number,
    w: number,
    amplitude: number,
  ): void {
    const p = this.#perm;
    const gx = this.#gx, gy = this.#gy, gz = this.#gz, gw = this.#gw;
    const gain = GAIN4 * amplitude;
    for (let n = 0; n < count; n++) {
      const x = xStart + n * dx;
      const s = (x + y + z + w) * F4;
      const i = Math.floor(x + s) | 0;
      const j = Math.floor(y + s) | 0;
      const k = Math.floor(z + s) | 0;
      const l = Math.floor(w + s) | 0;
      const t = (i + j + k + l) * G4;
      const x0 = x - i + t;
      const y0 = y - j + t;
      const z0 = z - k + t;
      const w0 = w - l + t;
      // Rank the offsets: the axis with rank 3 steps first along the simplex's edge path, rank 0 last.
      let rx = 0, ry = 0, rz = 0, rw = 0;
      if (x0 > y0) rx++;
      else ry++;
      if (x0 > z0) rx++;
      else rz++;
      if (x0 > w0) rx++;
      else rw++;
      if (y0 > z0) ry++;
      else rz++;
      if (y0 > w0) ry++;
      else rw++;
      if (z0 > w0) rz++;
      else rw++;
      const i1 = rx >= 3 ? 1 : 0, j1 = ry >= 3 ? 1 : 0, k1 = rz >= 3 ? 1 : 0, l1 = rw >= 3 ? 1 : 0;
      const i2 = rx >= 2 ? 1 : 0, j2 = ry >= 2 ? 1 : 0, k2 = rz >= 2 ? 1 : 0, l2 = rw >= 2 ? 1 : 0;
      const i3 = rx >= 1 ? 1 : 0, j3 = ry >= 1 ? 1 : 0, k3 = rz >= 1 ? 1 : 0, l3 = rw >= 1 ? 1 : 0;
      const x1 = x0 - i1 + G4, y1 = y0 - j1 + G4, z1 = z0 - k1 + G4, w1 = w0 - l1 + G4;
      const x2 = x0 - i2 + 2 * G4, y2 = y0 - j2 + 2 * G4, z2 = z0 - k2 + 2 * G4, w2 = w0 - l2 + 2 * G4;
      const x3 = x0 - i3 + 3 * G4, y3 = y0 - j3 + 3 * G4, z3 = z0 - k3 + 3 * G4, w3 = w0 - l3 + 3 * G4;
      const x4 = x0 - 1 + 4 * G4, y4 = y0 - 1 + 4 * G4, z4 = z0 - 1 + 4 * G4, w4 = w0 - 1 + 4 * G4;
      const ii = i & 255, jj = j & 255, kk = k & 255, ll = l & 255;
      let sum = 0;
      let r = RADIUS2 - x0 * x0 - y0 * y0 - z0 * z0 - w0 * w0;
      if (r > 0) {
        const h = p[ii + p[jj + p[kk + p[ll]!]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x0 + gy[h]! * y0 + gz[h]! * z0 + gw[h]! * w0);
      }
      r = RADIUS2 - x1 * x1 - y1 * y1 - z1 * z1 - w1 * w1;
      if (r > 0) {
        const h = p[ii + i1 + p[jj + j1 + p[kk + k1 + p[ll + l1]!]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x1 + gy[h]! * y1 + gz[h]! * z1 + gw[h]! * w1);
      }
      r = RADIUS2 - x2 * x2 - y2 * y2 - z2 * z2 - w2 * w2;
      if (r > 0) {
        const h = p[ii + i2 + p[jj + j2 + p[kk + k2 + p[ll + l2]!]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x2 + gy[h]! * y2 + gz[h]! * z2 + gw[h]! * w2);
      }
      r = RADIUS2 - x3 * x3 - y3 * y3 - z3 * z3 - w3 * w3;
      if (r > 0) {
        const h = p[ii + i3 + p[jj + j3 + p[kk + k3 + p[ll + l3]!]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x3 + gy[h]! * y3 + gz[h]! * z3 + gw[h]! * w3);
      }
      r = RADIUS2 - x4 * x4 - y4 * y4 - z4 * z4 - w4 * w4;
      if (r > 0) {
        const h = p[ii + 1 + p[jj + 1 + p[kk + 1 + p[ll + 1]!]!]!]!;
        r *= r;
        sum += r * r * (gx[h]! * x4 + gy[h]! * y4 + gz[h]! * z4 + gw[h]! * w4);
      }
      out[n] = out[n]! + gain * sum;
    }
  }
}
