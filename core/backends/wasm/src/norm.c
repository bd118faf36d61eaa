// Swish followed by GroupNorm over [B, S, C] (S spatial positions, C channels in G groups), forward and
// backward, one sample per chunk; and weight standardisation of [K, N] filters (one standardised filter per
// output channel n), forward and backward.
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

// Sums over positions are taken per channel in f32 over blocks of this many positions, then in f64.
#define BLOCK 64

INLINE v128_t swish4(v128_t z) { return wasm_f32x4_mul(z, sigmoid4(z)); }
INLINE f32 swish1(f32 z) { return z * sigmoid1(z); }

// Visits positions [s0, s1) of a sample, channel c (in steps of 4 when vectorised) at index i = s·C + c.
#define EACH(s0, s1)                     \
  for (i32 s = (s0); s < (s1); s++)      \
    for (i32 c = 0, i = s * C; c < C; c += step, i += step)

// Per-channel f32 accumulators of one block: acc[c] += v for channels c..c+3.
INLINE void acc4(f32* acc, i32 c, v128_t v) { wasm_v128_store(acc + c, wasm_f32x4_add(wasm_v128_load(acc + c), v)); }

// Adds a block's f32 accumulators into the f64 sums and clears them.
INLINE void flush(f32* acc, f64* sums, i32 C) {
  for (i32 c = 0; c < C; c++) sums[c] += acc[c], acc[c] = 0;
}

// Per-channel group statistic: out[c] = Σ_{c' in c's group} sums[c'] / n.
INLINE void group_means(const f64* sums, i32 C, i32 G, f64 n, f64* out) {
  const i32 cg = C / G;
  for (i32 g = 0; g < G; g++) {
    f64 s = 0;
    for (i32 c = g * cg; c < (g + 1) * cg; c++) s += sums[c];
    for (i32 c = g * cg; c < (g + 1) * cg; c++) out[c] = s / n;
  }
}

EXPORT(gn_swish_fwd) void gn_swish_fwd(GnFwdJob* job, i32 tid) {
  const i32 S = job->S, C = job->C, G = job->G, cg = C / G, vec = (C & 3) == 0, step = vec ? 4 : 1;
  f64* sums = job->scratch + tid * 4 * C;
  f64* mean = sums + C;
  f32* acc = (f32*)(mean + C);  // C floats
  f32* mean_c = acc + C;        // C floats
  f32* scale = mean_c + C;      // C floats
  f32* shift = scale + C;       // C floats
  for (i32 b; (b = take_chunk(&job->next)) < job->nchunks;) {
    const f32* z = job->z + b * S * C;
    f32* y = job->y + b * S * C;
    // y ← swish(z), with per-channel sums.
    for (i32 c = 0; c < C; c++) sums[c] = 0, acc[c] = 0;
    for (i32 s0 = 0; s0 < S; s0 += BLOCK) {
      const i32 s1 = min_i(S, s0 + BLOCK);
      EACH(s0, s1) {
        if (vec) {
          const v128_t v = swish4(wasm_v128_load(z + i));
          wasm_v128_store(y + i, v);
          acc4(acc, c, v);
        } else {
          acc[c] += y[i] = swish1(z[i]);
        }
      }
      flush(acc, sums, C);
    }
    const f64 n = (f64)S * cg;
    group_means(sums, C, G, n, mean);
    for (i32 c = 0; c < C; c++) mean_c[c] = (f32)mean[c], sums[c] = 0;
    // Per-channel sums of squared deviations from the group mean.
    for (i32 s0 = 0; s0 < S; s0 += BLOCK) {
      const i32 s1 = min_i(S, s0 + BLOCK);
      EACH(s0, s1) {
        if (vec) {
          const v128_t d = wasm_f32x4_sub(wasm_v128_load(y + i), wasm_v128_load(mean_c + c));
          acc4(acc, c, wasm_f32x4_mul(d, d));
        } else {
          const f32 d = y[i] - mean_c[c];
          acc[c] += d * d;
        }
      }
      flush(acc, sums, C);
    }
    group_means(sums, C, G, n, mean);  // now the variances
    for (i32 g = 0; g < G; g++) {
      const f64 rstd = 1.0 / __builtin_sqrt(mean[g * cg] + GN_EPS);
      job->stats[(b * G + g) * 2] = mean_c[g * cg];
      job->stats[(b * G + g) * 2 + 1] = (f32)rstd;
      for (i32 c = g * cg; c < (g + 1) * cg; c++) {
        scale[c] = (f32)rstd * job->gamma[c];
        shift[c] = job->beta[c] - mean_c[c] * scale[c];
      }
    }
    // y ← (y − mean)·rstd·gamma + beta.
    EACH(0, S) {
      if (vec) {
        wasm_v128_store(y + i, madd(wasm_v128_load(y + i), wasm_v128_load(scale + c), wasm_v128_load(shift + c)));
      } else {
        y[i] = y[i] * scale[c] + shift[c];
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
  f64* parts;        // per slot, zeroed by the caller: [SLOTS][3][C] sums of dgamma, dbeta, dbias
  f64* scratch;      // per thread: [threads][8C]
  f32* sig;          // per thread: [threads][S·C], σ(z) of the sample in hand
} GnBwdJob;

EXPORT(gn_swish_bwd) void gn_swish_bwd(GnBwdJob* job, i32 tid) {
  const i32 S = job->S, C = job->C, G = job->G, cg = C / G, vec = (C & 3) == 0, step = vec ? 4 : 1;
  f64* sum_dy = job->scratch + tid * 8 * C;  // per channel: Σ dy, Σ dy·ŝ (3 f64 and 7 f32 arrays of C)
  f64* sum_dyh = sum_dy + C;
  f64* tmp = sum_dyh + C;
  f32* acc = (f32*)(tmp + C);
  f32* acc2 = acc + C;
  f32* mean_c = acc2 + C;
  f32* rstd_c = mean_c + C;
  f32* k1 = rstd_c + C;  // ds = k1·dy − k2 − ŝ·k3, per channel
  f32* k2 = k1 + C;
  f32* k3 = k2 + C;
  f32* sig = job->sig + tid * S * C;
  const v128_t one = wasm_f32x4_splat(1.0f);
  FOR_SLOT_CHUNKS(job, slot, b) {
    f64* dgamma = job->parts + slot * 3 * C;
    f64* dbeta = dgamma + C;
    f64* dbias = dbeta + C;
    const f32 *dy = job->dy + b * S * C, *z = job->z + b * S * C;
    f32* dz = job->dz + b * S * C;
    for (i32 g = 0; g < G; g++) {
      for (i32 c = g * cg; c < (g + 1) * cg; c++) {
        mean_c[c] = job->stats[(b * G + g) * 2];
        rstd_c[c] = job->stats[(b * G + g) * 2 + 1];
      }
    }
    // σ(z) kept for the second pass; per-channel Σ dy and Σ dy·ŝ with ŝ = (z·σ − mean)·rstd.
    for (i32 c = 0; c < C; c++) sum_dy[c] = sum_dyh[c] = 0, acc[c] = acc2[c] = 0;
    for (i32 s0 = 0; s0 < S; s0 += BLOCK) {
      const i32 s1 = min_i(S, s0 + BLOCK);
      EACH(s0, s1) {
        if (vec) {
          const v128_t zv = wasm_v128_load(z + i), sg = sigmoid4(zv), d = wasm_v128_load(dy + i);
          wasm_v128_store(sig + i, sg);
          const v128_t hat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_f32x4_mul(zv, sg), wasm_v128_load(mean_c + c)),
                                            wasm_v128_load(rstd_c + c));
          acc4(acc, c, d);
          acc4(acc2, c, wasm_f32x4_mul(d, hat));
        } else {
          const f32 sg = sig[i] = sigmoid1(z[i]);
          acc[c] += dy[i];
          acc2[c] += dy[i] * ((z[i] * sg - mean_c[c]) * rstd_c[c]);
        }
      }
      flush(acc, sum_dy, C);
      flush(acc2, sum_dyh, C);
    }
    for (i32 c = 0; c < C; c++) {
      dbeta[c] += sum_dy[c];
      dgamma[c] += sum_dyh[c];
      sum_dy[c] *= job->gamma[c];
      sum_dyh[c] *= job->gamma[c];
    }
    const f64 n = (f64)S * cg;
    group_means(sum_dy, C, G, n, tmp);
    for (i32 c = 0; c < C; c++) k1[c] = rstd_c[c] * job->gamma[c], k2[c] = (f32)(rstd_c[c] * tmp[c]);
    group_means(sum_dyh, C, G, n, tmp);
    for (i32 c = 0; c < C; c++) k3[c] = (f32)(rstd_c[c] * tmp[c]), tmp[c] = 0;
    // dz = ds · σ(z)·(1 + z·(1 − σ(z))), ds = k1·dy − k2 − ŝ·k3; and Σ dz per channel.
    for (i32 s0 = 0; s0 < S; s0 += BLOCK) {
      const i32 s1 = min_i(S, s0 + BLOCK);
      EACH(s0, s1) {
        if (vec) {
          const v128_t zv = wasm_v128_load(z + i), sg = wasm_v128_load(sig + i);
          const v128_t hat = wasm_f32x4_mul(wasm_f32x4_sub(wasm_f32x4_mul(zv, sg), wasm_v128_load(mean_c + c)),
                                            wasm_v128_load(rstd_c + c));
          v128_t ds = wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(k1 + c), wasm_v128_load(dy + i)), wasm_v128_load(k2 + c));
          ds = wasm_f32x4_sub(ds, wasm_f32x4_mul(hat, wasm_v128_load(k3 + c)));
          const v128_t d = wasm_f32x4_mul(sg, wasm_f32x4_add(one, wasm_f32x4_mul(zv, wasm_f32x4_sub(one, sg))));
          const v128_t out = wasm_f32x4_mul(ds, d);
          wasm_v128_store(dz + i, out);
          acc4(acc, c, out);
        } else {
          const f32 zv = z[i], sg = sig[i], hat = (zv * sg - mean_c[c]) * rstd_c[c];
          acc[c] += dz[i] = (k1[c] * dy[i] - k2[c] - hat * k3[c]) * (sg * (1 + zv * (1 - sg)));
        }
      }
      flush(acc, tmp, C);
    }
    for (i32 c = 0; c < C; c++) dbias[c] += tmp[c];
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
