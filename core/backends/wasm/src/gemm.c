// Matrix products C = A · B for BatchMatMul: A read through strides (so a transposed A costs nothing),
// B packed into panels of 8 columns first (pack_panels), C row-major.
// Chunks are ranges of rows of C; when C has few rows and K is long (weight gradients), the reduction is
// split too and each thread adds its chunks into its own partial C, which the caller sums.
#include "tile.h"

typedef struct {
  JOB_HEAD;
  i32 M, N, K;
  i32 rows;    // rows of C per chunk (a multiple of 6)
  i32 splits;  // chunks along K; > 1: accumulate into per-thread partials
  const f32* a;
  i32 a_rs, a_cs;  // A(i, k) = a[i·a_rs + k·a_cs]
  const f32* b;    // B packed by pack_panels: [ceil(N / 8)][K][8]
  f32* c;          // [M, N], or per-thread partials [threads][M][N] zeroed by the caller when splits > 1
} GemmJob;

EXPORT(gemm) void gemm(GemmJob* job, i32 tid) {
  const i32 M = job->M, N = job->N, K = job->K, panels = (N + 7) / 8, splits = job->splits;
  const i32 klen = (K + splits - 1) / splits, ars = job->a_rs, acs = job->a_cs;
  f32* c = splits > 1 ? job->c + tid * M * N : job->c;
  for (i32 chunk; (chunk = take_chunk(&job->next)) < job->nchunks;) {
    const i32 m0 = (chunk / splits) * job->rows, m1 = min_i(M, m0 + job->rows);
    const i32 k0 = (chunk % splits) * klen, k1 = min_i(K, k0 + klen);
    if (k1 <= k0) continue;
    for (i32 panel = 0; panel < panels; panel++) {
      const i32 cols = min_i(8, N - panel * 8);
      const f32* b = job->b + (panel * K + k0) * 8;
      for (i32 m = m0; m < m1; m += 6) {
        const i32 rows = min_i(6, m1 - m);
        const f32* a = job->a + m * ars + k0 * acs;
        const f32* last = a + (rows - 1) * ars;  // rows past the end repeat the last one (not stored)
        tile_gen(a, rows > 1 ? a + ars : last, rows > 2 ? a + 2 * ars : last, rows > 3 ? a + 3 * ars : last,
                 rows > 4 ? a + 4 * ars : last, rows > 5 ? a + 5 * ars : last, acs, b, k1 - k0, 1, 0, 0, 1, 0,
                 0, c + m * N + panel * 8, N, rows, cols, splits > 1);
      }
    }
  }
}

// Packs B [K, N] (trans = 0) or Bᵀ stored [N, K] (trans = 1) into panels [ceil(N / 8)][K][8], zero-filled
// past the last column.
EXPORT(pack_panels) void pack_panels(const f32* src, i32 K, i32 N, i32 trans, f32* dst) {
  const i32 panels = (N + 7) / 8;
  for (i32 panel = 0; panel < panels; panel++) {
    for (i32 k = 0; k < K; k++) {
      f32* d = dst + (panel * K + k) * 8;
      if (!trans && panel * 8 + 8 <= N) {
        wasm_v128_store(d, wasm_v128_load(src + k * N + panel * 8));
        wasm_v128_store(d + 4, wasm_v128_load(src + k * N + panel * 8 + 4));
        continue;
      }
      for (i32 j = 0; j < 8; j++) {
        const i32 n = panel * 8 + j;
        d[j] = n >= N ? 0 : trans ? src[n * K + k] : src[k * N + n];
      }
    }
  }
}
