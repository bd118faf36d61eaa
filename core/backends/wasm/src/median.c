// Median filter of score maps [B, D, H, W] (2-D: D = 1) over k×k (×k) windows of a map padded beforehand
// by r = (k − 1) / 2 on each filtered axis (pad.c, reflect). Four neighbouring pixels are filtered at once,
// one per SIMD lane, by forgetful selection (Paeth): keep the first n/2 + 2 window values, then for each
// further value drop the buffer's minimum and maximum (never the median) and add the value; the last one
// left is the median. The result is the window's exact median, as a sort would give.
#include "common.h"

#define MAX_BUFFER 366  // (9³ + 1) / 2 + 1: windows up to 9×9×9

typedef struct {
  JOB_HEAD;
  i32 B, D, H, W;  // output sizes
  i32 k, rank;     // window and spatial rank (2 or 3)
  const f32* x;    // [B, D + 2r (or 1), H + 2r, W + 2r]
  f32* y;          // [B, D, H, W]
} MedianJob;

// Moves the minimum of b[0..m) to b[0] and the maximum to b[m − 1].
INLINE void min_max_ends(v128_t* b, i32 m) {
  for (i32 i = 1; i < m; i++) {
    const v128_t lo = wasm_f32x4_min(b[0], b[i]), hi = wasm_f32x4_max(b[0], b[i]);
    b[0] = lo, b[i] = hi;
  }
  for (i32 i = 1; i < m - 1; i++) {
    const v128_t lo = wasm_f32x4_min(b[i], b[m - 1]), hi = wasm_f32x4_max(b[i], b[m - 1]);
    b[i] = lo, b[m - 1] = hi;
  }
}

// One chunk per output row (b, d, h).
EXPORT(median_filter) void median_filter(MedianJob* job, i32 tid) {
  (void)tid;
  const i32 k = job->k, r = (k - 1) / 2, W = job->W, H = job->H, D = job->D;
  const i32 Wp = W + 2 * r, Hp = H + 2 * r, Dp = job->rank == 3 ? D + 2 * r : 1, kd = job->rank == 3 ? k : 1;
  const i32 n = kd * k * k, m0 = n / 2 + 2;
  v128_t buf[MAX_BUFFER];
  for (i32 row; (row = take_chunk(&job->next)) < job->nchunks;) {
    const i32 h = row % H, d = (row / H) % D, b = row / (H * D);
    const f32* base = job->x + ((b * Dp + d) * Hp + h) * Wp;
    f32* out = job->y + row * W;
    for (i32 w0 = 0; w0 < W; w0 += 4) {
      // Lanes past the row's end repeat its last pixel (their results are not stored).
      const i32 shift = w0 + 4 <= W ? 0 : w0 + 4 - W;
      const f32* corner = base + w0 - shift;
      i32 m = 0, taken = 0;
      for (i32 dz = 0; dz < kd; dz++) {
        for (i32 dy = 0; dy < k; dy++) {
          const f32* p = corner + (dz * Hp + dy) * Wp;
          for (i32 dx = 0; dx < k; dx++, taken++) {
            const v128_t v = wasm_v128_load(p + dx);
            if (taken < m0) {
              buf[m++] = v;
              if (m == m0) min_max_ends(buf, m);
              continue;
            }
            // Drop the ends (buf[0], buf[m − 1]), keep buf[1..m − 1) and the new value.
            buf[0] = v;
            m -= 1;
            min_max_ends(buf, m);
          }
        }
      }
      if (m0 > n) min_max_ends(buf, m);  // windows too small to fill the buffer (k = 1)
      // buf now holds the median's candidates with min at 0 and max at m − 1; for m == 3 it is buf[1].
      v128_t med = m >= 3 ? buf[1] : buf[0];
      f32 lanes[4];
      wasm_v128_store(lanes, med);
      for (i32 l = shift; l < 4; l++) out[w0 - shift + l] = lanes[l];
    }
  }
}

typedef struct {
  JOB_HEAD;
  i32 B, D, H, W, C;  // images [B, D, H, W, C] (2-D: D = 1)
  i32 k, rank;        // erosion window and spatial rank
  f32 keep;           // keep a pixel when the window's foreground mean exceeds this
  const f32* x;       // images
  const f32* xh;      // restorations
  const f32* fg;      // foreground [B, D, H, W]
  f32* y;             // [B, D, H, W]
} ResidualJob;

// The DAE's raw score, as core/ops/score_maps.ts computes it with tfjs ops and with the same float32
// roundings: mean over channels of |x − x̂| (summed in f64), times the eroded foreground (the mean of the
// zero-padded k×k(×k) window, summed in f64, above `keep`). One chunk per row (b, d, h).
EXPORT(residual) void residual(ResidualJob* job, i32 tid) {
  (void)tid;
  const i32 C = job->C, W = job->W, H = job->H, D = job->D, k = job->k, r = (k - 1) / 2;
  const i32 kd = job->rank == 3 ? k : 1, rd = job->rank == 3 ? r : 0;
  const f64 inv_count = 1.0 / (f64)(kd * k * k), inv_c = 1.0 / (f64)C;
  for (i32 row; (row = take_chunk(&job->next)) < job->nchunks;) {
    const i32 h = row % H, d = (row / H) % D, b = row / (H * D);
    for (i32 w = 0; w < W; w++) {
      f64 box = 0;
      for (i32 dz = -rd; dz <= rd; dz++) {
        const i32 z = d + dz;
        if (z < 0 || z >= D) continue;
        for (i32 dy = -r; dy <= r; dy++) {
          const i32 yy = h + dy;
          if (yy < 0 || yy >= H) continue;
          const f32* f = job->fg + ((b * D + z) * H + yy) * W;
          for (i32 dx = -r; dx <= r; dx++) {
            const i32 xx = w + dx;
            if (xx >= 0 && xx < W) box += f[xx];
          }
        }
      }
      const i32 i = row * W + w;
      f64 sum = 0;
      for (i32 c = 0; c < C; c++) {
        const f32 diff = job->x[i * C + c] - job->xh[i * C + c];
        sum += (f32)__builtin_fabsf(diff);
      }
      const f32 mean = (f32)(sum * inv_c);
      const int inside = (f32)(box * inv_count) > job->keep;
      job->y[i] = inside ? mean : 0.0f * mean;
    }
  }
}
