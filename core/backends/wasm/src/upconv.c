// The interleave of a 2× up-convolution (kernel = stride = 2): the product C = x · w has, for each
// low-resolution voxel, 2^rank blocks of C channels, one per child voxel of the output. Columns are ordered
// (sh, sw, c) in 2-D and (sh, sw, sd, c) in 3-D, as core/nn/layers.ts's upConv lays them out.
#include "common.h"

typedef struct {
  JOB_HEAD;
  i32 B, D, H, W, C;  // low-resolution sizes (D = 1 in 2-D) and output channels
  i32 rank;           // 2 or 3
  i32 forward;        // 1: y ← interleave(c) + bias; 0: c ← gather(y) and per-slot channel sums
  f32* c;             // [B·D·H·W, 2^rank·C]
  f32* y;             // [B, (2D,) 2H, 2W, C]
  const f32* bias;    // [C] (forward)
  f64* sums;          // per slot [SLOTS][C], zeroed by the caller (backward: the bias gradient)
} ShuffleJob;

// One chunk per low-resolution row (b, d, h).
EXPORT(shuffle) void shuffle(ShuffleJob* job, i32 tid) {
  const i32 C = job->C, W = job->W, H = job->H, D = job->D, rank = job->rank, vec = (C & 3) == 0;
  const i32 children = rank == 2 ? 4 : 8, oD = rank == 2 ? 1 : 2 * D;
  (void)tid;
  FOR_SLOT_CHUNKS(job, slot, row) {
    f64* sums = job->sums + slot * C;
    const i32 h = row % H, d = (row / H) % D, b = row / (H * D);
    for (i32 w = 0; w < W; w++) {
      f32* cm = job->c + (row * W + w) * children * C;
      for (i32 s = 0; s < children; s++) {
        const i32 sh = rank == 2 ? s >> 1 : s >> 2, sw = rank == 2 ? s & 1 : (s >> 1) & 1;
        const i32 sd = rank == 2 ? 0 : s & 1;
        f32* yp = job->y + (((b * oD + 2 * d + sd) * 2 * H + 2 * h + sh) * 2 * W + 2 * w + sw) * C;
        f32* cp = cm + s * C;
        if (job->forward) {
          i32 c = 0;
          if (vec) {
            for (; c < C; c += 4) wasm_v128_store(yp + c, wasm_f32x4_add(wasm_v128_load(cp + c), wasm_v128_load(job->bias + c)));
          }
          for (; c < C; c++) yp[c] = cp[c] + job->bias[c];
        } else {
          __builtin_memcpy(cp, yp, (unsigned long)C * 4);
          for (i32 c = 0; c < C; c++) sums[c] += yp[c];
        }
      }
    }
  }
}
