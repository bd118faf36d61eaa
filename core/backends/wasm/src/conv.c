// Convolutions, channels-last, 2-D as 3-D with depth 1, on inputs padded beforehand (see pad.c):
//   conv_fwd          y = conv(x, w) + bias, 'valid', stride 1: direct, no column matrix;
//   conv_bwd_filter   per-slot partial sums of dw = Σ col(x)ᵀ · dy;
//   pack_weights      weights into 8-column panels, optionally flipped and transposed (the input
//                     gradient is conv_fwd of the zero-padded dy with those weights).
// Tiles (tile.h): rows are output pixels (forward) or filter taps (filter gradient), columns output
// channels; each row reads its own pointer into the input, so no column matrix is built.
#include "tile.h"

// A convolution's sizes: the input as given to the kernel (already padded), the filter taps, channels.
typedef struct {
  i32 B, D, H, W, C;  // input batch, depth, height, width, channels
  i32 fd, fh, fw;     // filter taps per axis
  i32 N;              // output channels
} Geometry;

INLINE i32 out_d(const Geometry* g) { return g->D - g->fd + 1; }
INLINE i32 out_h(const Geometry* g) { return g->H - g->fh + 1; }
INLINE i32 out_w(const Geometry* g) { return g->W - g->fw + 1; }

typedef struct {
  JOB_HEAD;
  i32 chunk;  // output pixels per chunk (a multiple of 6)
  Geometry g;
  const f32* x;     // [B, D, H, W, C]
  const f32* w;     // packed: [ceil(N / 8)][K][8], K = fd·fh·fw·C
  const f32* bias;  // [N] or null
  f32* y;           // [B, oD, oH, oW, N]
} ConvFwdJob;

// Input offset of output pixel (b, od, oh, ow)'s first tap.
INLINE i32 pixel_base(const Geometry* g, i32 b, i32 od, i32 oh, i32 ow) {
  return (((b * g->D + od) * g->H + oh) * g->W + ow) * g->C;
}

EXPORT(conv_fwd) void conv_fwd(ConvFwdJob* job, i32 tid) {
  (void)tid;
  const Geometry* g = &job->g;
  const i32 oD = out_d(g), oH = out_h(g), oW = out_w(g), N = g->N, C = g->C;
  const i32 M = g->B * oD * oH * oW, K = g->fd * g->fh * g->fw * C, panels = (N + 7) / 8;
  const i32 len = g->fw * C, a1 = g->H * g->W * C, b1 = g->fh * len * 8, a2 = g->W * C, b2 = len * 8;
  for (i32 chunk; (chunk = take_chunk(&job->next)) < job->nchunks;) {
    const i32 m0 = chunk * job->chunk, m1 = min_i(M, m0 + job->chunk);
    for (i32 panel = 0; panel < panels; panel++) {
      const f32* wp = job->w + panel * K * 8;
      const f32* bias = job->bias ? job->bias + panel * 8 : 0;
      const i32 cols = min_i(8, N - panel * 8);
      // Coordinates of pixel m0, stepped pixel by pixel.
      i32 ow = m0 % oW, rest = m0 / oW, oh = rest % oH;
      rest /= oH;
      i32 od = rest % oD, b = rest / oD;
      for (i32 m = m0; m < m1; m += 6) {
        const i32 rows = min_i(6, m1 - m);
        i32 base[6];
        for (i32 r = 0; r < 6; r++) {
          base[r] = r < rows ? pixel_base(g, b, od, oh, ow) : base[0];
          if (r < rows && ++ow == oW) {
            ow = 0;
            if (++oh == oH) {
              oh = 0;
              if (++od == oD) od = 0, b++;
            }
          }
        }
        const f32* x = job->x;
        tile_fwd(x + base[0], x + base[1], x + base[2], x + base[3], x + base[4], x + base[5], wp, len,
                 g->fd, a1, b1, g->fh, a2, b2, job->y + m * N + panel * 8, N, rows, cols, bias);
      }
    }
  }
}

typedef struct {
  JOB_HEAD;
  i32 planes;  // output planes (b, od) per chunk: whole samples in 2-D, depth slices of one sample in 3-D
  i32 rows;    // output rows per chunk
  Geometry g;
  const f32* x;   // [B, D, H, W, C]
  const f32* dy;  // [B, oD, oH, oW, N]
  f32* dw;        // per-slot partial sums: [SLOTS][K][N], zeroed by the caller
  f32* pack;      // per thread: [threads][ceil(N / 8)][planes · rows · oW][8], a chunk of dy in panels
} ConvBwdFilterJob;

// One chunk: `planes` planes × `rows` rows of output pixels, all taps and channels. The planes of a chunk
// are evenly spaced in memory (consecutive samples in 2-D, where D = 1; consecutive slices in 3-D).
EXPORT(conv_bwd_filter) void conv_bwd_filter(ConvBwdFilterJob* job, i32 tid) {
  const Geometry* g = &job->g;
  const i32 oD = out_d(g), oH = out_h(g), oW = out_w(g), N = g->N, C = g->C;
  const i32 K = g->fd * g->fh * g->fw * C, panels = (N + 7) / 8;
  const i32 splits = (oH + job->rows - 1) / job->rows;
  const i32 per_sample = g->D == 1 ? 1 : (oD + job->planes - 1) / job->planes;  // plane groups per sample
  f32* pack = job->pack + tid * panels * job->planes * job->rows * oW * 8;
  FOR_SLOT_CHUNKS(job, slot, chunk) {
    f32* dw = job->dw + slot * K * N;
    const i32 group = chunk / splits, h0 = (chunk % splits) * job->rows, h1 = min_i(oH, h0 + job->rows);
    i32 b, od, count;
    if (g->D == 1) {
      b = group * job->planes, od = 0, count = min_i(job->planes, g->B - b);
    } else {
      b = group / per_sample, od = (group % per_sample) * job->planes, count = min_i(job->planes, oD - od);
    }
    // The chunk's dy in panels: pixel m of the chunk at pack[panel][m][0..8].
    const i32 run = (h1 - h0) * oW, pixels = count * run;
    for (i32 q = 0; q < count; q++) {
      const f32* src = job->dy + (((b * oD + od + q) * oH + h0) * oW) * N;
      for (i32 m = 0; m < run; m++) {
        for (i32 panel = 0; panel < panels; panel++) {
          f32* d = pack + (panel * pixels + q * run + m) * 8;
          const f32* s = src + m * N + panel * 8;
          if (panel * 8 + 8 <= N) {
            wasm_v128_store(d, wasm_v128_load(s));
            wasm_v128_store(d + 4, wasm_v128_load(s + 4));
          } else {
            for (i32 j = 0; j < 8; j++) d[j] = panel * 8 + j < N ? s[j] : 0;
          }
        }
      }
    }
    const i32 a1 = g->H * g->W * C, a2 = g->W * C;
    for (i32 panel = 0; panel < panels; panel++) {
      const i32 cols = min_i(8, N - panel * 8);
      // Input offset of tap k (kd, kh, kw, c) at the chunk's first pixel, stepped k by k.
      i32 tap_off = pixel_base(g, b, od, h0, 0), c = 0, kw = 0, kh = 0;
      for (i32 k = 0; k < K; k += 6) {
        const i32 rows = min_i(6, K - k);
        i32 off[6];
        for (i32 r = 0; r < rows; r++) {
          off[r] = tap_off++;
          if (++c < C) continue;
          c = 0;
          if (++kw < g->fw) continue;
          kw = 0, tap_off += (g->W - g->fw) * C;
          if (++kh < g->fh) continue;
          kh = 0, tap_off += (g->H - g->fh) * g->W * C;
        }
        for (i32 r = rows; r < 6; r++) off[r] = off[0];
        const f32* x = job->x;
        tile_gen(x + off[0], x + off[1], x + off[2], x + off[3], x + off[4], x + off[5], C, pack + panel * pixels * 8,
                 oW, count, a1, run * 8, h1 - h0, a2, oW * 8, dw + k * N + panel * 8, N, rows, cols, 1);
      }
    }
  }
}

// Packs weights [T][Cin][Cout] (T taps) into 8-column panels [ceil(cols / 8)][rows][8], zero-filled past the
// last column. flip = 0: rows (t, ci), columns co (the forward convolution). flip = 1: rows (t', co), columns
// ci with t' = T − 1 − t (the input gradient as a forward convolution of the zero-padded output gradient).
EXPORT(pack_weights) void pack_weights(const f32* w, i32 T, i32 cin, i32 cout, i32 flip, f32* dst) {
  const i32 rows = T * (flip ? cout : cin), cols = flip ? cin : cout, panels = (cols + 7) / 8;
  for (i32 panel = 0; panel < panels; panel++) {
    for (i32 r = 0; r < rows; r++) {
      f32* d = dst + (panel * rows + r) * 8;
      for (i32 j = 0; j < 8; j++) {
        const i32 col = panel * 8 + j;
        if (col >= cols) {
          d[j] = 0;
        } else if (!flip) {
          d[j] = w[r * cout + col];
        } else {
          const i32 t = T - 1 - r / cout, co = r % cout;
          d[j] = w[(t * cin + col) * cout + co];
        }
      }
    }
  }
}

// dst[i] = Σ_t src[t·stride + i] over `parts` partial buffers in order (the per-slot filter gradients).
EXPORT(sum_parts) void sum_parts(const f32* src, i32 parts, i32 stride, i32 n, f32* dst) {
  for (i32 i = 0; i < n; i++) {
    f32 s = 0;
    for (i32 t = 0; t < parts; t++) s += src[t * stride + i];
    dst[i] = s;
  }
}

// dst[i] += src[i] (the filter gradient of one batch group added to the others').
EXPORT(add_into) void add_into(f32* dst, const f32* src, i32 n) {
  for (i32 i = 0; i < n; i++) dst[i] += src[i];
}
