// Padding of the spatial axes of [B, D, H, W, C] (2-D: D = 1, no depth padding) and its reflect gradient:
//   pad      reflect (PyTorch's "reflect": mirrored without repeating the edge) or zeros;
//   fold     the exact gradient of reflect padding: each border value is added back onto the pixel it copied.
#include "common.h"

typedef struct {
  i32 B, D, H, W, C;  // unpadded sizes
  i32 pd, ph, pw;     // padding on each side of depth, height, width
} PadGeometry;

typedef struct {
  JOB_HEAD;
  i32 reflect;  // 1: reflect, 0: zeros
  PadGeometry g;
  const f32* x;  // [B, D, H, W, C]
  f32* y;        // [B, D + 2pd, H + 2ph, W + 2pw, C]
} PadJob;

// Source index of padded index i along an axis of n values padded by p, or −1 (a zero).
INLINE i32 source(i32 i, i32 n, i32 p, i32 reflect) {
  i32 s = i - p;
  if (s >= 0 && s < n) return s;
  if (!reflect) return -1;
  return s < 0 ? -s : 2 * n - 2 - s;
}

INLINE void copy(f32* dst, const f32* src, i32 n) { __builtin_memcpy(dst, src, (unsigned long)n * 4); }
INLINE void zero(f32* dst, i32 n) { __builtin_memset(dst, 0, (unsigned long)n * 4); }

// One chunk per padded (b, d) plane.
EXPORT(pad) void pad(PadJob* job, i32 tid) {
  (void)tid;
  const PadGeometry* g = &job->g;
  const i32 C = g->C, Dp = g->D + 2 * g->pd, Hp = g->H + 2 * g->ph, Wp = g->W + 2 * g->pw;
  for (i32 chunk; (chunk = take_chunk(&job->next)) < job->nchunks;) {
    const i32 b = chunk / Dp, dp = chunk % Dp, d = source(dp, g->D, g->pd, job->reflect);
    for (i32 hp = 0; hp < Hp; hp++) {
      f32* out = job->y + ((chunk * Hp + hp) * Wp) * C;
      const i32 h = source(hp, g->H, g->ph, job->reflect);
      if (d < 0 || h < 0) {
        zero(out, Wp * C);
        continue;
      }
      const f32* in = job->x + ((b * g->D + d) * g->H + h) * g->W * C;
      copy(out + g->pw * C, in, g->W * C);
      for (i32 j = 0; j < g->pw; j++) {
        const i32 left = source(j, g->W, g->pw, job->reflect);
        const i32 right = source(g->pw + g->W + j, g->W, g->pw, job->reflect);
        if (left < 0) zero(out + j * C, C); else copy(out + j * C, in + left * C, C);
        if (right < 0) zero(out + (g->pw + g->W + j) * C, C); else copy(out + (g->pw + g->W + j) * C, in + right * C, C);
      }
    }
  }
}

typedef struct {
  JOB_HEAD;
  PadGeometry g;  // sizes of the unpadded result
  const f32* x;   // gradient of the padded tensor [B, D + 2pd, H + 2ph, W + 2pw, C]
  f32* y;         // [B, D, H, W, C]
} FoldJob;

// Padded indices whose values copied index s of n (padding p): s + p itself and up to two mirrored ones.
INLINE i32 contributors(i32 s, i32 n, i32 p, i32 out[3]) {
  i32 k = 0;
  out[k++] = s + p;
  if (s >= 1 && s <= p) out[k++] = p - s;
  if (s >= n - 1 - p && s <= n - 2) out[k++] = 2 * n + p - 2 - s;
  return k;
}

INLINE void add_to(f32* dst, const f32* src, i32 n) {
  i32 i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_f32x4_add(wasm_v128_load(dst + i), wasm_v128_load(src + i)));
  for (; i < n; i++) dst[i] += src[i];
}

// One chunk per output (b, d) plane: out row (d, h) = Σ over contributing padded rows of the row folded
// along the width.
EXPORT(fold) void fold(FoldJob* job, i32 tid) {
  (void)tid;
  const PadGeometry* g = &job->g;
  const i32 C = g->C, W = g->W, pw = g->pw, Dp = g->D + 2 * g->pd, Hp = g->H + 2 * g->ph, Wp = W + 2 * pw;
  for (i32 chunk; (chunk = take_chunk(&job->next)) < job->nchunks;) {
    const i32 b = chunk / g->D, d = chunk % g->D;
    i32 ds[3], hs[3];
    const i32 nd = contributors(d, g->D, g->pd, ds);
    for (i32 h = 0; h < g->H; h++) {
      const i32 nh = contributors(h, g->H, g->ph, hs);
      f32* out = job->y + ((chunk * g->H + h) * W) * C;
      for (i32 i = 0; i < nd; i++) {
        for (i32 k = 0; k < nh; k++) {
          const f32* in = job->x + ((b * Dp + ds[i]) * Hp + hs[k]) * Wp * C;
          if (i == 0 && k == 0) copy(out, in + pw * C, W * C); else add_to(out, in + pw * C, W * C);
          for (i32 w = 1; w <= pw && w < W; w++) add_to(out + w * C, in + (pw - w) * C, C);
          for (i32 w = max_i(0, W - 1 - pw); w <= W - 2; w++) add_to(out + w * C, in + (2 * W + pw - 2 - w) * C, C);
        }
      }
    }
  }
}

typedef struct {
  JOB_HEAD;
  i32 pixels;  // per chunk
  i32 P, C1, C2;
  i32 split;  // 0: cat ← a ‖ b per pixel; 1: a, b ← cat
  f32* a;     // [P, C1]
  f32* b;     // [P, C2]
  f32* cat;   // [P, C1 + C2]
} ChannelsJob;

// Concatenation along channels, or its inverse (the U-Net's skip connections).
EXPORT(channels) void channels(ChannelsJob* job, i32 tid) {
  (void)tid;
  const i32 C1 = job->C1, C2 = job->C2, C = C1 + C2;
  for (i32 chunk; (chunk = take_chunk(&job->next)) < job->nchunks;) {
    const i32 p1 = min_i(job->P, (chunk + 1) * job->pixels);
    for (i32 p = chunk * job->pixels; p < p1; p++) {
      if (job->split) {
        copy(job->a + p * C1, job->cat + p * C, C1);
        copy(job->b + p * C2, job->cat + p * C + C1, C2);
      } else {
        copy(job->cat + p * C, job->a + p * C1, C1);
        copy(job->cat + p * C + C1, job->b + p * C2, C2);
      }
    }
  }
}

typedef struct {
  JOB_HEAD;
  i32 B, D, H, W, C;  // input [B, D, H, W, C]
  i32 kd, kh, kw;     // window = stride (non-overlapping; D, H, W multiples of it or truncated)
  i32 grad;           // 0: y = mean of each window; 1: x-gradient = dy / window size spread over it
  const f32* src;     // x [B, D, H, W, C], or dy [B, D/kd, H/kh, W/kw, C]
  f32* dst;           // y, or dx
} PoolJob;

// Average pooling with non-overlapping windows and its gradient, with the arithmetic of
// core/backends/cpu_avg_pool.ts (sums in f64 in window order, times 1/size). One chunk per output row.
EXPORT(avg_pool) void avg_pool(PoolJob* job, i32 tid) {
  (void)tid;
  const i32 C = job->C, kd = job->kd, kh = job->kh, kw = job->kw, W = job->W, H = job->H, D = job->D;
  const i32 oD = D / kd, oH = H / kh, oW = W / kw;
  const f64 scale = 1.0 / (f64)(kd * kh * kw);
  for (i32 row; (row = take_chunk(&job->next)) < job->nchunks;) {
    const i32 oh = row % oH, od = (row / oH) % oD, b = row / (oH * oD);
    for (i32 ow = 0; ow < oW; ow++) {
      const i32 o = ((row * oW) + ow) * C;
      for (i32 c = 0; c < C; c++) {
        if (!job->grad) {
          f64 acc = 0;
          for (i32 dz = 0; dz < kd; dz++) {
            for (i32 dy = 0; dy < kh; dy++) {
              const f32* p = job->src + ((((b * D + od * kd + dz) * H + oh * kh + dy) * W + ow * kw) * C) + c;
              for (i32 dx = 0; dx < kw; dx++) acc += p[dx * C];
            }
          }
          job->dst[o + c] = (f32)(acc * scale);
        } else {
          const f32 v = (f32)(job->src[o + c] * scale);
          for (i32 dz = 0; dz < kd; dz++) {
            for (i32 dy = 0; dy < kh; dy++) {
              f32* p = job->dst + ((((b * D + od * kd + dz) * H + oh * kh + dy) * W + ow * kw) * C) + c;
              for (i32 dx = 0; dx < kw; dx++) p[dx * C] = v;
            }
          }
        }
      }
    }
  }
}
