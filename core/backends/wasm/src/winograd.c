// Winograd convolution F(2×2, 3×3) (Lavin & Gray 2016) for 3×3 filters in 2-D: each 2×2 block of outputs is
// computed from a 4×4 block of input with 16 products per channel pair instead of 36, as 16 independent
// matrix products (gemm.c) between transforms:
//   wino_input   V[ξ][t][c] = (Bᵀ d_t,c B)[ξ]  for every 4×4 input tile t (zero beyond the input);
//   wino_filter  U[ξ] = (G g Gᵀ)[ξ] packed as gemm's B operand (optionally for the flipped filter);
//   gemm         M[ξ] = V[ξ] · U[ξ];
//   wino_output  y_t = Aᵀ M_t A (+ bias), the 2×2 outputs inside the image;
// and for the filter gradient the adjoints: wino_dy dM_t = A dY_t Aᵀ (packed), gemm dU[ξ] = V[ξ]ᵀ · dM[ξ],
// wino_filter_grad dg = Gᵀ dU G. Tiles are numbered t = (b·tilesH + th)·tilesW + tw.
#include "common.h"

// The 1-D transforms on 4 (or 3, or 2) values, for v128 (V) or f32 (S) operands.
#define BT(d0, d1, d2, d3, o0, o1, o2, o3, ADD, SUB) \
  (o0) = SUB(d0, d2), (o1) = ADD(d1, d2), (o2) = SUB(d2, d1), (o3) = SUB(d1, d3)
#define AT(m0, m1, m2, m3, o0, o1, ADD, SUB) (o0) = ADD(ADD(m0, m1), m2), (o1) = SUB(SUB(m1, m2), m3)
#define VADD(a, b) wasm_f32x4_add(a, b)
#define VSUB(a, b) wasm_f32x4_sub(a, b)
#define SADD(a, b) ((a) + (b))
#define SSUB(a, b) ((a) - (b))

typedef struct {
  JOB_HEAD;
  i32 B, H, W, C;         // input [B, H, W, C] (already padded for the convolution)
  i32 tiles_h, tiles_w;   // output tiles: ceil((H − 2) / 2), ceil((W − 2) / 2)
  const f32* x;
  f32* v;                 // [16][T][C]
} WinoInputJob;

// One chunk per row of tiles (b, th).
EXPORT(wino_input) void wino_input(WinoInputJob* job, i32 tid) {
  (void)tid;
  const i32 H = job->H, W = job->W, C = job->C, tw_n = job->tiles_w;
  const i32 T = job->B * job->tiles_h * tw_n, plane = T * C;
  for (i32 row; (row = take_chunk(&job->next)) < job->nchunks;) {
    const i32 b = row / job->tiles_h, th = row % job->tiles_h;
    for (i32 tw = 0; tw < tw_n; tw++) {
      const i32 t = row * tw_n + tw;
      const f32* src[4][4];  // the tile's 16 pixels (null: outside the input)
      for (i32 i = 0; i < 4; i++) {
        for (i32 j = 0; j < 4; j++) {
          const i32 r = 2 * th + i, c = 2 * tw + j;
          src[i][j] = r < H && c < W ? job->x + ((b * H + r) * W + c) * C : 0;
        }
      }
      f32* dst = job->v + t * C;
      i32 c = 0;
      for (; c + 4 <= C; c += 4) {
        v128_t d[4][4], s[4][4];
        for (i32 i = 0; i < 4; i++) {
          for (i32 j = 0; j < 4; j++) d[i][j] = src[i][j] ? wasm_v128_load(src[i][j] + c) : wasm_f32x4_splat(0);
        }
        for (i32 j = 0; j < 4; j++) BT(d[0][j], d[1][j], d[2][j], d[3][j], s[0][j], s[1][j], s[2][j], s[3][j], VADD, VSUB);
        for (i32 k = 0; k < 4; k++) {
          v128_t o[4];
          BT(s[k][0], s[k][1], s[k][2], s[k][3], o[0], o[1], o[2], o[3], VADD, VSUB);
          for (i32 l = 0; l < 4; l++) wasm_v128_store(dst + (k * 4 + l) * plane + c, o[l]);
        }
      }
      for (; c < C; c++) {
        f32 d[4][4], s[4][4];
        for (i32 i = 0; i < 4; i++) {
          for (i32 j = 0; j < 4; j++) d[i][j] = src[i][j] ? src[i][j][c] : 0;
        }
        for (i32 j = 0; j < 4; j++) BT(d[0][j], d[1][j], d[2][j], d[3][j], s[0][j], s[1][j], s[2][j], s[3][j], SADD, SSUB);
        for (i32 k = 0; k < 4; k++) {
          f32 o[4];
          BT(s[k][0], s[k][1], s[k][2], s[k][3], o[0], o[1], o[2], o[3], SADD, SSUB);
          for (i32 l = 0; l < 4; l++) dst[(k * 4 + l) * plane + c] = o[l];
        }
      }
    }
  }
}

// U = G g Gᵀ for every (c, n) of w [3, 3, C, N], packed per ξ as gemm's B operand [16][ceil(N / 8)][C][8].
// flip = 1: the input gradient's filter, g'[kh, kw, n, c] = g[2 − kh, 2 − kw, c, n] (C and N swapped).
EXPORT(wino_filter) void wino_filter(const f32* w, i32 cin, i32 cout, i32 flip, f32* dst) {
  const i32 C = flip ? cout : cin, N = flip ? cin : cout, panels = (N + 7) / 8;
  for (i32 c = 0; c < C; c++) {
    for (i32 n = 0; n < panels * 8; n++) {
      f64 u[4][4] = {{0}};
      if (n < N) {
        f64 g[3][3], t[4][3];
        for (i32 kh = 0; kh < 3; kh++) {
          for (i32 kw = 0; kw < 3; kw++) {
            g[kh][kw] = flip ? w[(((2 - kh) * 3 + 2 - kw) * cin + n) * cout + c] : w[((kh * 3 + kw) * cin + c) * cout + n];
          }
        }
        for (i32 j = 0; j < 3; j++) {
          t[0][j] = g[0][j], t[1][j] = (g[0][j] + g[1][j] + g[2][j]) / 2, t[2][j] = (g[0][j] - g[1][j] + g[2][j]) / 2;
          t[3][j] = g[2][j];
        }
        for (i32 k = 0; k < 4; k++) {
          u[k][0] = t[k][0], u[k][1] = (t[k][0] + t[k][1] + t[k][2]) / 2, u[k][2] = (t[k][0] - t[k][1] + t[k][2]) / 2;
          u[k][3] = t[k][2];
        }
      }
      for (i32 x = 0; x < 16; x++) dst[((x * panels + n / 8) * C + c) * 8 + n % 8] = (f32)u[x / 4][x % 4];
    }
  }
}

typedef struct {
  JOB_HEAD;
  i32 B, H, W, N;         // output [B, H, W, N]
  i32 tiles_h, tiles_w;
  const f32* m;           // [16][T][N]
  const f32* bias;        // [N] or null
  f32* y;
} WinoOutputJob;

EXPORT(wino_output) void wino_output(WinoOutputJob* job, i32 tid) {
  (void)tid;
  const i32 H = job->H, W = job->W, N = job->N, tw_n = job->tiles_w;
  const i32 plane = job->B * job->tiles_h * tw_n * N;
  for (i32 row; (row = take_chunk(&job->next)) < job->nchunks;) {
    const i32 b = row / job->tiles_h, th = row % job->tiles_h;
    for (i32 tw = 0; tw < tw_n; tw++) {
      const f32* src = job->m + (row * tw_n + tw) * N;
      f32* out[2][2];
      for (i32 i = 0; i < 2; i++) {
        for (i32 j = 0; j < 2; j++) {
          const i32 r = 2 * th + i, c = 2 * tw + j;
          out[i][j] = r < H && c < W ? job->y + ((b * H + r) * W + c) * N : 0;
        }
      }
      i32 n = 0;
      for (; n + 4 <= N; n += 4) {
        v128_t s[4][2], y[2][2];
        for (i32 k = 0; k < 4; k++) {
          const f32* p = src + k * 4 * plane + n;
          AT(wasm_v128_load(p), wasm_v128_load(p + plane), wasm_v128_load(p + 2 * plane), wasm_v128_load(p + 3 * plane),
             s[k][0], s[k][1], VADD, VSUB);
        }
        for (i32 j = 0; j < 2; j++) AT(s[0][j], s[1][j], s[2][j], s[3][j], y[0][j], y[1][j], VADD, VSUB);
        const v128_t bias = job->bias ? wasm_v128_load(job->bias + n) : wasm_f32x4_splat(0);
        for (i32 i = 0; i < 2; i++) {
          for (i32 j = 0; j < 2; j++) {
            if (out[i][j]) wasm_v128_store(out[i][j] + n, wasm_f32x4_add(y[i][j], bias));
          }
        }
      }
      for (; n < N; n++) {
        f32 s[4][2], y[2][2];
        for (i32 k = 0; k < 4; k++) {
          const f32* p = src + k * 4 * plane + n;
          AT(p[0], p[plane], p[2 * plane], p[3 * plane], s[k][0], s[k][1], SADD, SSUB);
        }
        for (i32 j = 0; j < 2; j++) AT(s[0][j], s[1][j], s[2][j], s[3][j], y[0][j], y[1][j], SADD, SSUB);
        const f32 bias = job->bias ? job->bias[n] : 0;
        for (i32 i = 0; i < 2; i++) {
          for (i32 j = 0; j < 2; j++) {
            if (out[i][j]) out[i][j][n] = y[i][j] + bias;
          }
        }
      }
    }
  }
}

typedef struct {
  JOB_HEAD;
  i32 B, H, W, N;         // output gradient dY [B, H, W, N]
  i32 tiles_h, tiles_w;
  const f32* dy;
  f32* dm;                // packed per ξ as gemm's B operand: [16][ceil(N / 8)][T][8]
} WinoDyJob;

// dM_t = A dY_t Aᵀ, the adjoint of wino_output (outputs outside the image count as zero).
EXPORT(wino_dy) void wino_dy(WinoDyJob* job, i32 tid) {
  (void)tid;
  const i32 H = job->H, W = job->W, N = job->N, tw_n = job->tiles_w, panels = (N + 7) / 8;
  const i32 T = job->B * job->tiles_h * tw_n;
  for (i32 row; (row = take_chunk(&job->next)) < job->nchunks;) {
    const i32 b = row / job->tiles_h, th = row % job->tiles_h;
    for (i32 tw = 0; tw < tw_n; tw++) {
      const i32 t = row * tw_n + tw;
      const f32* in[2][2];
      for (i32 i = 0; i < 2; i++) {
        for (i32 j = 0; j < 2; j++) {
          const i32 r = 2 * th + i, c = 2 * tw + j;
          in[i][j] = r < H && c < W ? job->dy + ((b * H + r) * W + c) * N : 0;
        }
      }
      for (i32 panel = 0; panel < panels; panel++) {
        f32* dst = job->dm + (panel * T + t) * 8;
        const i32 n0 = panel * 8;
        if (n0 + 8 <= N) {
          for (i32 half = 0; half < 2; half++) {
            const i32 n = n0 + 4 * half;
            v128_t d[2][2], s[4][2];
            for (i32 i = 0; i < 2; i++) {
              for (i32 j = 0; j < 2; j++) d[i][j] = in[i][j] ? wasm_v128_load(in[i][j] + n) : wasm_f32x4_splat(0);
            }
            for (i32 j = 0; j < 2; j++) {
              s[0][j] = d[0][j], s[1][j] = VADD(d[0][j], d[1][j]), s[2][j] = VSUB(d[0][j], d[1][j]);
              s[3][j] = wasm_f32x4_neg(d[1][j]);
            }
            for (i32 k = 0; k < 4; k++) {
              const v128_t o[4] = {s[k][0], VADD(s[k][0], s[k][1]), VSUB(s[k][0], s[k][1]), wasm_f32x4_neg(s[k][1])};
              for (i32 l = 0; l < 4; l++) wasm_v128_store(dst + (k * 4 + l) * panels * T * 8 + 4 * half, o[l]);
            }
          }
          continue;
        }
        for (i32 n = n0; n < n0 + 8; n++) {
          f32 d[2][2], s[4][2];
          for (i32 i = 0; i < 2; i++) {
            for (i32 j = 0; j < 2; j++) d[i][j] = in[i][j] && n < N ? in[i][j][n] : 0;
          }
          for (i32 j = 0; j < 2; j++) s[0][j] = d[0][j], s[1][j] = d[0][j] + d[1][j], s[2][j] = d[0][j] - d[1][j], s[3][j] = -d[1][j];
          for (i32 k = 0; k < 4; k++) {
            const f32 o[4] = {s[k][0], s[k][0] + s[k][1], s[k][0] - s[k][1], -s[k][1]};
            for (i32 l = 0; l < 4; l++) dst[(k * 4 + l) * panels * T * 8 + n - n0] = o[l];
          }
        }
      }
    }
  }
}

// dg = Gᵀ dU G for every (c, n): dU [16][C][N] → dw [3, 3, C, N].
EXPORT(wino_filter_grad) void wino_filter_grad(const f32* du, i32 C, i32 N, f32* dw) {
  for (i32 c = 0; c < C; c++) {
    for (i32 n = 0; n < N; n++) {
      f64 u[4][4], t[3][4];
      for (i32 x = 0; x < 16; x++) u[x / 4][x % 4] = du[(x * C + c) * N + n];
      for (i32 l = 0; l < 4; l++) {
        t[0][l] = u[0][l] + (u[1][l] + u[2][l]) / 2, t[1][l] = (u[1][l] - u[2][l]) / 2;
        t[2][l] = (u[1][l] + u[2][l]) / 2 + u[3][l];
      }
      for (i32 i = 0; i < 3; i++) {
        dw[((i * 3 + 0) * C + c) * N + n] = (f32)(t[i][0] + (t[i][1] + t[i][2]) / 2);
        dw[((i * 3 + 1) * C + c) * N + n] = (f32)((t[i][1] - t[i][2]) / 2);
        dw[((i * 3 + 2) * C + c) * N + n] = (f32)((t[i][1] + t[i][2]) / 2 + t[i][3]);
      }
    }
  }
}
