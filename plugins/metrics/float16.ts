/**
 * Float16 rounding, as the reference evaluation's `scores.astype(np.float16)`: round to the nearest float16
 * value, ties to even, overflow to ±Infinity.
 * @module
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The float16 bit pattern nearest to the float32 with bit pattern `bits` (round to nearest, ties to even).
 *
 * @example
 * ```ts
 * import { float32BitsToFloat16Bits } from "./float16.ts";
 * console.assert(float32BitsToFloat16Bits(0x3f800000) === 0x3c00); // 1.0
 * ```
 */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x38800000 && abs < 0x47800000) {
    // Normal float16 range, branch-free rounding: rebias the exponent, add 0xfff plus the kept lowest bit
    // (ties to even), drop 13 bits; a carry correctly bumps the exponent, up to Infinity.
    const x = abs - 0x38000000;
    return sign | ((x + 0xfff + ((x >>> 13) & 1)) >>> 13);
  }
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 112; // float16 biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Float16 subnormal: the value is m · 2^-24 with m = mant24 >> (14 - e).
    if (e < -10) return sign;
    const full = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rem = full & ((1 << shift) - 1);
    let r = full >>> shift;
    if (rem > half || (rem === half && (r & 1) === 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1) === 1)) r++;
  return sign | r;
}

/** The value of the float16 bit pattern `h`. */
export function float16BitsToNumber(h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  return sign * (1024 + m) * 2 ** (e - 25);
}

/** Values of all 65536 float16 bit patterns, for table look-up in hot loops. */
export const FLOAT16_VALUES: Float32Array = (() => {
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) table[h] = float16BitsToNumber(h);
  return table;
})();

/**
 * `x` rounded to the nearest float16 value (after rounding to float32, as a Float32Array holds it).
 *
 * @example
 * ```ts
 * import { toFloat16 } from "./float16.ts";
 * console.assert(toFloat16(0.1) === 0.0999755859375);
 * ```
 */
export function toFloat16(x: number): number {
  f32[0] = x;
  return FLOAT16_VALUES[float32BitsToFloat16Bits(u32[0]!)]!;
}

/** Rounds every score of `scores` to float16 into a new array (or into `out` when given). */
export function castFloat16(
  scores: Float32Array,
  out: Float32Array = new Float32Array(scores.length),
): Float32Array {
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  for (let i = 0; i < bits.length; i++) out[i] = FLOAT16_VALUES[float32BitsToFloat16Bits(bits[i]!)]!;
  return out;
}
