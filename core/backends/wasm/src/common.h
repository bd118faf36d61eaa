// Shared definitions of the wasm kernels: types, exports, the chunk counter every parallel kernel shares
// between threads, and small SIMD helpers. Pointers are byte offsets into the one shared memory.
#pragma once
#include <stdint.h>
#include <wasm_simd128.h>

typedef float f32;
typedef double f64;
typedef int32_t i32;

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

// Every parallel kernel's job starts with these two fields: threads take chunk indices from `next` until
// `nchunks` is reached, so a thread that starts late simply finds less work.
#define JOB_HEAD \
  i32 next;      \
  i32 nchunks

INLINE i32 take_chunk(i32* next) { return __atomic_fetch_add(next, 1, __ATOMIC_RELAXED); }
INLINE i32 min_i(i32 a, i32 b) { return a < b ? a : b; }

// Kernels that sum over chunks (weight and bias gradients) keep one partial sum per slot, not per thread:
// slot s owns the fixed range of chunks [s·n/slots, (s + 1)·n/slots), visited in order, threads take whole
// slots, and the caller adds the SLOTS partials in order. The sums then come out bit-identical for any
// thread count and any schedule (runtime.ts REDUCTION_SLOTS is the same number).
#define SLOTS 8
#define FOR_SLOT_CHUNKS(job, slot, chunk)                                                                    \
  for (i32 slot, slots_ = min_i((job)->nchunks, SLOTS); (slot = take_chunk(&(job)->next)) < slots_;)       \
    for (i32 chunk = (i32)((int64_t)slot * (job)->nchunks / slots_),                                       \
             end_ = (i32)((int64_t)(slot + 1) * (job)->nchunks / slots_);                                  \
         chunk < end_; chunk++)
INLINE i32 max_i(i32 a, i32 b) { return a > b ? a : b; }

// a * b + c; the relaxed form compiles to one fused multiply-add where the CPU has one.
INLINE v128_t madd(v128_t a, v128_t b, v128_t c) { return wasm_f32x4_relaxed_madd(a, b, c); }

// exp(x) for |x| ≤ 87 to about 2 ulp: x = n·ln2 + r with |r| ≤ ln2/2, exp(r) by its degree-6 Taylor
// polynomial (Horner), 2^n from the exponent bits.
INLINE v128_t exp4(v128_t x) {
  x = wasm_f32x4_min(wasm_f32x4_max(x, wasm_f32x4_splat(-87.0f)), wasm_f32x4_splat(87.0f));
  v128_t n = wasm_f32x4_nearest(wasm_f32x4_mul(x, wasm_f32x4_splat(1.44269504088896341f)));
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, wasm_f32x4_splat(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, wasm_f32x4_splat(-2.12194440e-4f)));
  v128_t p = wasm_f32x4_splat(1.0f / 720);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 120));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 24));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f / 6));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(0.5f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), wasm_f32x4_splat(1.0f));
  v128_t bits = wasm_i32x4_shl(wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127)), 23);
  return wasm_f32x4_mul(p, bits);
}

// The logistic sigmoid 1 / (1 + e^(−x)).
INLINE v128_t sigmoid4(v128_t x) {
  v128_t one = wasm_f32x4_splat(1.0f);
  return wasm_f32x4_div(one, wasm_f32x4_add(one, exp4(wasm_f32x4_neg(x))));
}

INLINE f32 sigmoid1(f32 x) { return wasm_f32x4_extract_lane(sigmoid4(wasm_f32x4_splat(x)), 0); }
