// Matrix products C = A · B for BatchMatMul: A read through strides (so a transposed A costs nothing),
// B row-major [K, N] (a transposed B is transposed into the arena first, see transpose), C row-major.
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
  const f32* b;    // B(k, n) = b[k·N + n], readable 8 values past the end
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
      const f32* b = job->b + k0 * N + panel * 8;
      for (i32 m = m0; m < m1; m += 6) {
        const i32 rows = min_i(6, m1 - m);
        const f32* a = job->a + m * ars + k0 * acs;
        const f32* last = a + (rows - 1) * ars;  // rows past the end repeat the last one (not stored)
        tile_gen(a, rows > 1 ? a + ars : last, rows > 2 ? a + 2 * ars : last, rows > 3 ? a + 3 * ars : last,
                 rows > 4 ? a + 4 * ars : last, rows > 5 ? a + 5 * ars : last, acs, b, N, k1 - k0, 1, 0, 0, 1, 0,
                 0, c + m * N + panel * 8, N, rows, cols, splits > 1);
      }
    }
  }
}

// dst[j, i] = src[i, j] for src [rows, cols].
EXPORT(transpose) void transpose(const f32* src, i32 rows, i32 cols, f32* dst) {
  for (i32 i0 = 0; i0 < rows; i0 += 32) {
    for (i32 j0 = 0; j0 < cols; j0 += 32) {
      for (i32 i = i0; i < min_i(rows, i0 + 32); i++) {
        for (i32 j = j0; j < min_i(cols, j0 + 32); j++) dst[j * rows + i] = src[i * cols + j];
      }
    }
  }
}
