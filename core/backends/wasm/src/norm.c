// Swish followed by GroupNorm over [B, S, C] (S spatial positions, C channels in G groups), forward and
// backward, one sample per chunk; and weight standardisation of [K, N] filters (one standardised filter per
// output channel n), forward and backward. Sums are accumulated in f32 over one spatial row of positions
// and in f64 across rows.
#include "common.h"

#define GN_EPS 1e-5
#define WS_EPS 1e-5

typedef struct {
  JOB_HEAD;
  i32 S, C, G;
  const f32* z;      // conv output [B, S, C]
  const f32* gamma;  // [C]
  const f32* beta;   // [C]
  f32* y;            // [B, S, C]
  f32* stats;        // [B, G, 2]: mean and 1/sqrt(var + eps) of swish(z) per group
  f64* scratch;      // per thread: [threads][4C]
} GnFwdJob;

// The sum over positions of `v` per channel into sums[C] (f64), for values v(pos, c) produced by `EXPR`
// with `zi` = the index of (pos, c) — written as a macro so each use inlines its expression.
#define CHANNEL_SUMS(EXPR4, EXPR1, sums)                                                          \
  do {                                                                                            \
    for (i32 c = 0; c < C; c++) sums[c] = 0;                                                      \
    const i32 block = 64;                                                                         \
    for (i32 s0 = 0; s0 < S; s0 += block) {                                                       \
      const i32 s1 = min_i(S, s0 + block);                                                        \
      if ((C & 3) == 0) {                                                                         \
        for (i32 c = 0; c < C; c += 4) {                                                          \
          v128_t acc = wasm_f32x4_splat(0);                                                       \
          for (i32 s = s0; s < s1; s++) {                                                         \
            const i32 zi = s * C + c;                                                             \
            acc = wasm_f32x4_add(acc, EXPR4);                                                     \
          }                                                                                       \
          for (i32 l = 0; l < 4; l++) sums[c + l] += (f64)((f32*)&acc)[l];                        \
        }                                                                                         \
      } else {                                                                                    \
        for (i32 c = 0; c < C; c++) {                                                             \
          f32 acc = 0;                                                                            \
          for (i32 s = s0; s < s1; s++) {                                                         \
            const i32 zi = s * C + c;                                                             \
            acc += EXPR1;                                                                         \
          }                                                                                       \
          sums[c] += (f64)acc;                                                                    \
        }                                                                                         \
      }                                                                                           \
    }                                                                                             \
  } while (0)

INLINE v128_t swish4(v128_t z) { return wasm_f32x4_mul(z, sigmoid4(z)); }
INLINE f32 swish1(f32 z) { return z * sigmoid1(z); }

EXPORT(gn_swish_fwd) void gn_swish_fwd(GnFwdJob* job, i32 tid) {
  const i32 S = job->S, C = job->C, G = job->G, cg = C / G;
  f64* sums = job->scratch + tid * 4 * C;
  f32* mean_c = (f32*)(sums + C);  // per channel: the group's mean and 1/std
  f32* rstd_c = mean_c + C;
  for (i32 b; (b = take_chunk(&job->next)) < job->nchunks;) {
    const f32* z = job->z + b * S * C;
    f32* y = job->y + b * S * C;
    // y ← swish(z); per-channel sums of y.
    if ((C & 3) == 0) {
      for (i32 i = 0; i < S * C; i += 4) wasm_v128_store(y + i, swish4(wasm_v128_load(z + i)));
    } else {
      for (i32 i = 0; i < S * C; i++) y[i] = swish1(z[i]);
    }
    CHANNEL_SUMS(wasm_v128_load(y + zi), y[zi], sums);
    const f64 n = (f64)S * cg;
    for (i32 gi = 0; gi < G; gi++) {
      f64 s = 0;
      for (i32 c = gi * cg; c < (gi + 1) * cg; c++) s += sums[c];
      for (i32 c = gi * cg; c < (gi + 1) * cg; c++) mean_c[c] = (f32)(s / n);
    }
    // Per-channel sums of squared deviations from the group mean.
    CHANNEL_SUMS(({
                   v128_t dev = wasm_f32x4_sub(wasm_v128_load(y + zi), wasm_v128_load(mean_c + c));
                   wasm_f32x4_mul(dev, dev);
                 }),
                 (y[zi] - mean_c[c]) * (y[zi] - mean_c[c]), sums);
    for (i32 gi = 0; gi < G; gi++) {
      f64 s = 0;
      for (i32 c = gi * cg; c < (gi + 1) * cg; c++) s += sums[c];
      const f64 rstd = 1.0 / __builtin_sqrt(s / n + GN_EPS);
      job->stats[(b * G + gi) * 2] = mean_c[gi * cg];
      job->stats[(b * G + gi) * 2 + 1] = (f32)rstd;
      for (i32 c = gi * cg; c < (gi + 1) * cg; c++) rstd_c[c] = (f32)rstd;
    }
    // y ← (y − mean)·rstd·gamma + beta, with scale = rstd·gamma and shift = beta − mean·scale per channel.
    f32* scale = (f32*)sums;  // the f64 sums are no longer needed
    f32* shift = scale + C;
    for (i32 c = 0; c < C; c++) {
      scale[c] = rstd_c[c] * job->gamma[c];
      shift[c] = job->beta[c] - mean_c[c] * scale[c];
    }
    if ((C & 3) == 0) {
      for (i32 s = 0; s < S; s++) {
        for (i32 c = 0; c < C; c += 4) {
          f32* p = y + s * C + c;
          wasm_v128_store(p, madd(wasm_v128_load(p), wasm_v128_load(scale + c), wasm_v128_load(shift + c)));
        }
      }
    } else {
      for (i32 s = 0; s < S; s++) {
        for (i32 c = 0; c < C; c++) y[s * C + c] = y[s * C + c] * scale[c] + shift[c];
      }
    }
  }
}

typedef struct {
  JOB_HEAD;
  i32 S, C, G;
  const f32* dy;     // [B, S, C]
  const f32* z;      // [B, S, C]
  const f32* gamma;  // [C]
  const f32* stats;  // [B, G, 2] from gn_swish_fwd
  f32* dz;           // [B, S, C]
  f64* parts;        // per thread, zeroed by the caller: [threads][3][C] sums of dgamma, dbeta, dbias
  f64* scratch;      // per thread: [threads][6C]
} GnBwdJob;

EXPORT(gn_swish_bwd) void gn_swish_bwd(GnBwdJob* job, i32 tid) {
  const i32 S = job->S, C = job->C, G = job->G, cg = C / G;
  f64* dgamma = job->parts + tid * 3 * C;
  f64* dbeta = dgamma + C;
  f64* dbias = dbeta + C;
  f64* sums = job->scratch + tid * 6 * C;  // Σ dy, then Σ dy·ŝ, per channel
  f64* sums2 = sums + C;
  f32* mean_c = (f32*)(sums2 + C);
  f32* rstd_c = mean_c + C;
  f32* k1 = rstd_c + C;  // ds = k1·dy − k2 − ŝ·k3, per channel
  f32* k2 = k1 + C;
  f32* k3 = k2 + C;
  f32* tmp = k3 + C;  // spare
  (void)tmp;
  for (i32 b; (b = take_chunk(&job->next)) < job->nchunks;) {
    const f32 *dy = job->dy + b * S * C, *z = job->z + b * S * C;
    f32* dz = job->dz + b * S * C;
    for (i32 gi = 0; gi < G; gi++) {
      for (i32 c = gi * cg; c < (gi + 1) * cg; c++) {
        mean_c[c] = job->stats[(b * G + gi) * 2];
        rstd_c[c] = job->stats[(b * G + gi) * 2 + 1];
      }
    }
    CHANNEL_SUMS(wasm_v128_load(dy + zi), dy[zi], sums);
    CHANNEL_SUMS(wasm_f32x4_mul(wasm_v128_load(dy + zi),
                                wasm_f32x4_mul(wasm_f32x4_sub(swish4(wasm_v128_load(z + zi)), wasm_v128_load(mean_c + c)),
                                               wasm_v128_load(rstd_c + c))),
                 dy[zi] * ((swish1(z[zi]) - mean_c[c]) * rstd_c[c]), sums2);
    const f64 n = (f64)S * cg;
    for (i32 gi = 0; gi < G; gi++) {
      f64 a = 0, bb = 0;
      for (i32 c = gi * cg; c < (gi + 1) * cg; c++) {
        a += job->gamma[c] * sums[c];
        bb += job->gamma[c] * sums2[c];
        dbeta[c] += sums[c];
        dgamma[c] += sums2[c];
      }
      for (i32 c = gi * cg; c < (gi + 1) * cg; c++) {
        k1[c] = rstd_c[c] * job->gamma[c];
        k2[c] = (f32)(rstd_c[c] * a / n);
        k3[c] = (f32)(rstd_c[c] * bb / n);
      }
    }
    // dz = ds · σ(z)·(1 + z·(1 − σ(z))), ds = k1·dy − k2 − ŝ·k3; and Σ dz per channel.
    if ((C & 3) == 0) {
      const v128_t one = wasm_f32x4_splat(1.0f);
      for (i32 s = 0; s < S; s++) {
        for (i32 c = 0; c < C; c += 4) {
          const i32 i = s * C + c;
          const v128_t zv = wasm_v128_load(z + i), sg = sigmoid4(zv);
          const v128_t hat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_f32x4_mul(zv, sg), wasm_v128_load(mean_c + c)),
                                            wasm_v128_load(rstd_c + c));
          v128_t ds = wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(k1 + c), wasm_v128_load(dy + i)), wasm_v128_load(k2 + c));
          ds = wasm_f32x4_sub(ds, wasm_f32x4_mul(hat, wasm_v128_load(k3 + c)));
          const v128_t d = wasm_f32x4_mul(sg, wasm_f32x4_add(one, wasm_f32x4_mul(zv, wasm_f32x4_sub(one, sg))));
          wasm_v128_store(dz + i, wasm_f32x4_mul(ds, d));
        }
      }
    } else {
      for (i32 s = 0; s < S; s++) {
        for (i32 c = 0; c < C; c++) {
          const i32 i = s * C + c;
          const f32 zv = z[i], sg = sigmoid1(zv), hat = (zv * sg - mean_c[c]) * rstd_c[c];
          dz[i] = (k1[c] * dy[i] - k2[c] - hat * k3[c]) * (sg * (1 + zv * (1 - sg)));
        }
      }
    }
    CHANNEL_SUMS(wasm_v128_load(dz + zi), dz[zi], sums);
    for (i32 c = 0; c < C; c++) dbias[c] += sums[c];
  }
}

// ws[k, n] = (w[k, n] − mean_n) / (std_n + eps), std the unbiased standard deviation over k.
EXPORT(wstd_fwd) void wstd_fwd(const f32* w, i32 K, i32 N, f32* ws) {
  for (i32 n = 0; n < N; n++) {
    f64 mean = 0, ss = 0;
    for (i32 k = 0; k < K; k++) mean += w[k * N + n];
    mean /= K;
    for (i32 k = 0; k < K; k++) ss += (w[k * N + n] - mean) * (w[k * N + n] - mean);
    const f64 inv = 1.0 / (__builtin_sqrt(ss / (K - 1)) + WS_EPS);
    for (i32 k = 0; k < K; k++) ws[k * N + n] = (f32)((w[k * N + n] - mean) * inv);
  }
}

// dw from g = dL/dws: with c = w − mean, σ = std, s = σ + eps:
// dL/dc_k = g_k/s − (Σ_j g_j c_j)·c_k / ((K − 1)·σ·s²), and dw = dL/dc − mean_k(dL/dc).
EXPORT(wstd_bwd) void wstd_bwd(const f32* w, const f32* g, i32 K, i32 N, f32* dw) {
  for (i32 n = 0; n < N; n++) {
    f64 mean = 0, ss = 0, gc = 0;
    for (i32 k = 0; k < K; k++) mean += w[k * N + n];
    mean /= K;
    for (i32 k = 0; k < K; k++) {
      const f64 c = w[k * N + n] - mean;
      ss += c * c;
      gc += g[k * N + n] * c;
    }
    const f64 sigma = __builtin_sqrt(ss / (K - 1)), s = sigma + WS_EPS;
    const f64 coef = sigma > 0 ? gc / ((K - 1) * sigma * s * s) : 0;
    f64 mean_d = 0;
    for (i32 k = 0; k < K; k++) mean_d += g[k * N + n] / s - coef * (w[k * N + n] - mean);
    mean_d /= K;
    for (i32 k = 0; k < K; k++) dw[k * N + n] = (f32)(g[k * N + n] / s - coef * (w[k * N + n] - mean) - mean_d);
  }
}
