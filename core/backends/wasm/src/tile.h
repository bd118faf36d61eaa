// The 6 × 8 register tile every product kernel uses: 6 rows (each read through its own pointer, so rows
// may be pixels anywhere in an image or taps of a filter) times 8 columns (two vectors), 12 accumulators.
#pragma once
#include "common.h"

// acc[6][2] += Σ over segments (s1, s2) and steps p of a_r[s1·a1 + s2·a2 + p·ASTEP] · b[s1·b1 + s2·b2 + 8p],
// then C rows r < rows, columns j < cols get acc (+ bias) written (acc_mode 1: added). B is always a packed
// panel of 8 columns: with a constant step V8 keeps the loop tight (about 1.7× faster than a stride passed
// in).
#define TILE_BODY(ASTEP)                                                                         \
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, \
         c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;                                         \
  for (i32 s1 = 0; s1 < n1; s1++) {                                                                   \
    for (i32 s2 = 0; s2 < n2; s2++) {                                                                 \
      i32 ao = s1 * a1 + s2 * a2;                                                                     \
      const f32 *p0 = r0 + ao, *p1 = r1 + ao, *p2 = r2 + ao, *p3 = r3 + ao, *p4 = r4 + ao,            \
                *p5 = r5 + ao;                                                                        \
      const f32* pb = b + s1 * b1 + s2 * b2;                                                          \
      for (i32 p = 0; p < len; p++) {                                                                 \
        v128_t b0 = wasm_v128_load(pb), b1v = wasm_v128_load(pb + 4), a;                              \
        a = wasm_v128_load32_splat(p0), c00 = madd(a, b0, c00), c01 = madd(a, b1v, c01);              \
        a = wasm_v128_load32_splat(p1), c10 = madd(a, b0, c10), c11 = madd(a, b1v, c11);              \
        a = wasm_v128_load32_splat(p2), c20 = madd(a, b0, c20), c21 = madd(a, b1v, c21);              \
        a = wasm_v128_load32_splat(p3), c30 = madd(a, b0, c30), c31 = madd(a, b1v, c31);              \
        a = wasm_v128_load32_splat(p4), c40 = madd(a, b0, c40), c41 = madd(a, b1v, c41);              \
        a = wasm_v128_load32_splat(p5), c50 = madd(a, b0, c50), c51 = madd(a, b1v, c51);              \
        p0 += ASTEP, p1 += ASTEP, p2 += ASTEP, p3 += ASTEP, p4 += ASTEP, p5 += ASTEP, pb += 8;        \
      }                                                                                               \
    }                                                                                                 \
  }                                                                                                   \
  store_row(c, c00, c01, cols, bias, acc_mode);                                                       \
  if (rows > 1) store_row(c + ldc, c10, c11, cols, bias, acc_mode);                                   \
  if (rows > 2) store_row(c + 2 * ldc, c20, c21, cols, bias, acc_mode);                               \
  if (rows > 3) store_row(c + 3 * ldc, c30, c31, cols, bias, acc_mode);                               \
  if (rows > 4) store_row(c + 4 * ldc, c40, c41, cols, bias, acc_mode);                               \
  if (rows > 5) store_row(c + 5 * ldc, c50, c51, cols, bias, acc_mode);

// Writes (acc_mode 0) or adds (acc_mode 1) the first `cols` of 8 values v0|v1 (+ bias[j] when given) at dst.
INLINE void store_row(f32* dst, v128_t v0, v128_t v1, i32 cols, const f32* bias, int acc_mode) {
  if (cols == 8) {
    if (bias) v0 = wasm_f32x4_add(v0, wasm_v128_load(bias)), v1 = wasm_f32x4_add(v1, wasm_v128_load(bias + 4));
    if (acc_mode) v0 = wasm_f32x4_add(v0, wasm_v128_load(dst)), v1 = wasm_f32x4_add(v1, wasm_v128_load(dst + 4));
    wasm_v128_store(dst, v0);
    wasm_v128_store(dst + 4, v1);
    return;
  }
  f32 t[8] = {
      wasm_f32x4_extract_lane(v0, 0), wasm_f32x4_extract_lane(v0, 1), wasm_f32x4_extract_lane(v0, 2),
      wasm_f32x4_extract_lane(v0, 3), wasm_f32x4_extract_lane(v1, 0), wasm_f32x4_extract_lane(v1, 1),
      wasm_f32x4_extract_lane(v1, 2), wasm_f32x4_extract_lane(v1, 3),
  };
  for (i32 j = 0; j < cols; j++) {
    f32 v = t[j] + (bias ? bias[j] : 0.0f);
    dst[j] = acc_mode ? dst[j] + v : v;
  }
}

// Rows stepping 1 float at a time (pixels along the contiguous channels of a tap row), written to C.
static inline void tile_fwd(const f32* r0, const f32* r1, const f32* r2, const f32* r3, const f32* r4,
                            const f32* r5, const f32* b, i32 len, i32 n1, i32 a1, i32 b1, i32 n2, i32 a2,
                     i32 b2, f32* c, i32 ldc, i32 rows, i32 cols, const f32* bias) {
  const int acc_mode = 0;
  TILE_BODY(1)
}

// Rows stepping `astep` floats at a time, written to C (acc_mode 0) or added to it (acc_mode 1).
static inline void tile_gen(const f32* r0, const f32* r1, const f32* r2, const f32* r3, const f32* r4,
                     const f32* r5, i32 astep, const f32* b, i32 len, i32 n1, i32 a1, i32 b1,
                     i32 n2, i32 a2, i32 b2, f32* c, i32 ldc, i32 rows, i32 cols, int acc_mode) {
  const f32* bias = 0;
  TILE_BODY(astep)
}


