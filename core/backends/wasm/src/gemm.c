// Matrix products C = A · B for BatchMatMul: A read through strides (so a transposed A costs nothing),
// B packed into panels of 8 columns first (pack_panels), C row-major.
// Chunks are ranges of rows of C (of one of several independent products); when C has few rows and K is
// long (weight gradients), the reduction is split too and each slot's chunks add into the slot's partial C
// (common.h), which the caller sums.
#include "tile.h"

typedef struct {
  JOB_HEAD;
  i32 M, N, K;
  i32 rows;     // rows of C per chunk (a multiple of 6)
  i32 splits;   // chunks along K; > 1: accumulate into per-slot partials
  i32 batches;  // independent products, each with its own A, B and C
  const f32* a;
  i32 a_rs, a_cs, a_bs;  // A_b(i, k) = a[b·a_bs + i·a_rs + k·a_cs]
  const f32* b;          // B_b packed by pack_panels: b + b·b_bs is [ceil(N / 8)][K][8]
  i32 b_bs;
  f32* c;  // C_b [M, N] at c + b·M·N, or per-slot partials [SLOTS][batches][M][N] zeroed by the caller
} GemmJob;

// One chunk: rows [m0, m1) of product `batch` over k in [k0, k1), into c (C_b itself, or a slot's partial).
static void gemm_chunk(const GemmJob* job, i32 chunk, f32* c_base) {
  const i32 M = job->M, N = job->N, K = job->K, panels = (N + 7) / 8, splits = job->splits;
  const i32 klen = (K + splits - 1) / splits, ars = job->a_rs, acs = job->a_cs;
  const i32 per_batch = (M + job->rows - 1) / job->rows * splits;
  const i32 batch = chunk / per_batch, rest = chunk % per_batch;
  const i32 m0 = (rest / splits) * job->rows, m1 = min_i(M, m0 + job->rows);
  const i32 k0 = (rest % splits) * klen, k1 = min_i(K, k0 + klen);
  if (k1 <= k0) return;
  f32* c = c_base + batch * M * N;
  for (i32 panel = 0; panel < panels; panel++) {
    const i32 cols = min_i(8, N - panel * 8);
    const f32* b = job->b + batch * job->b_bs + (panel * K + k0) * 8;
    for (i32 m = m0; m < m1; m += 6) {
      const i32 rows = min_i(6, m1 - m);
      const f32* a = job->a + batch * job->a_bs + m * ars + k0 * acs;
      const f32* last = a + (rows - 1) * ars;  // rows past the end repeat the last one (not stored)
      const f32 *a1 = rows > 1 ? a + ars : last, *a2 = rows > 2 ? a + 2 * ars : last;
      const f32 *a3 = rows > 3 ? a + 3 * ars : last, *a4 = rows > 4 ? a + 4 * ars : last;
      const f32* a5 = rows > 5 ? a + 5 * ars : last;
      f32* out = c + m * N + panel * 8;
      if (acs == 1 && splits == 1) {
        tile_fwd(a, a1, a2, a3, a4, a5, b, k1 - k0, 1, 0, 0, 1, 0, 0, out, N, rows, cols, 0);
      } else {
        tile_gen(a, a1, a2, a3, a4, a5, acs, b, k1 - k0, 1, 0, 0, 1, 0, 0, out, N, rows, cols, splits > 1);
      }
    }
  }
}

EXPORT(gemm) void gemm(GemmJob* job, i32 tid) {
  (void)tid;
  if (job->splits == 1) {
    for (i32 chunk; (chunk = take_chunk(&job->next)) < job->nchunks;) gemm_chunk(job, chunk, job->c);
    return;
  }
  FOR_SLOT_CHUNKS(job, slot, chunk) gemm_chunk(job, chunk, job->c + slot * job->batches * job->M * job->N);
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
