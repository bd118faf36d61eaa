/**
 * CUDA C generators for channels-last average pooling and its gradient, 2-D pooling being 3-D pooling with a
 * depth of one. Geometry (`struct Geo`): `dims` = the iterated tensor [N, D, H, W, C] (output for the
 * forward pass, input for the gradient), `a` = the other tensor's [_, D, H, W, _], `b` = window, `c` =
 * strides, `d` = padding before (front, top, left), each at indices 1..3.
 *
 * @example
 * ```ts
 * import { avgPoolKernel } from "./pool_templates.ts";
 * const { name, source } = avgPoolKernel();
 * ```
 * @module
 */
import { type KernelSource, withPrelude } from "./template_prelude.ts";

const DECOMPOSE = `int r = i;
    const int c = r % g.dims[4]; r /= g.dims[4];
    const int p3 = r % g.dims[3]; r /= g.dims[3];
    const int p2 = r % g.dims[2]; r /= g.dims[2];
    const int p1 = r % g.dims[1];
    const int nb = r / g.dims[1];
    const int C = g.dims[4];`;

/**
 * `avgpool_f32(const float* x, float* y, Geo g)`: the mean of the in-bounds window elements (tfjs excludes
 * padding from the count).
 */
export function avgPoolKernel(): KernelSource {
  const name = "avgpool_f32";
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const float* __restrict__ x, float* __restrict__ y, Geo g) {
  GRID_STRIDE_LOOP(i, g.n) {
    ${DECOMPOSE}
    const int d0 = p1 * g.c[1] - g.d[1], h0 = p2 * g.c[2] - g.d[2], w0 = p3 * g.c[3] - g.d[3];
    float sum = 0.0f;
    int count = 0;
    for (int kd = max(d0, 0); kd < min(d0 + g.b[1], g.a[1]); ++kd)
      for (int kh = max(h0, 0); kh < min(h0 + g.b[2], g.a[2]); ++kh)
        for (int kw = max(w0, 0); kw < min(w0 + g.b[3], g.a[3]); ++kw) {
          sum += x[((((long long)nb * g.a[1] + kd) * g.a[2] + kh) * g.a[3] + kw) * C + c];
          ++count;
        }
    y[i] = sum / (float)max(count, 1);
  }
}
`,
  );
}

/**
 * `avgpool_grad_f32(const float* dy, float* dx, Geo g, float scale)`: each input element gets the sum of the
 * output gradients whose windows cover it, times `scale` (1 / window volume, as tfjs's cpu kernel).
 */
export function avgPoolGradKernel(): KernelSource {
  const name = "avgpool_grad_f32";
  return withPrelude(
    name,
    `__device__ __forceinline__ int floor_div(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
extern "C" __global__ void ${name}(const float* __restrict__ dy, float* __restrict__ dx, Geo g, float scale) {
  GRID_STRIDE_LOOP(i, g.n) {
    ${DECOMPOSE}
    // Output positions o with o * stride - pad <= p < o * stride - pad + window.
    const int d_lo = max(0, floor_div(p1 + g.d[1] - g.b[1], g.c[1]) + 1), d_hi = min(g.a[1] - 1, floor_div(p1 + g.d[1], g.c[1]));
    const int h_lo = max(0, floor_div(p2 + g.d[2] - g.b[2], g.c[2]) + 1), h_hi = min(g.a[2] - 1, floor_div(p2 + g.d[2], g.c[2]));
    const int w_lo = max(0, floor_div(p3 + g.d[3] - g.b[3], g.c[3]) + 1), w_hi = min(g.a[3] - 1, floor_div(p3 + g.d[3], g.c[3]));
    float sum = 0.0f;
    for (int od = d_lo; od <= d_hi; ++od)
      for (int oh = h_lo; oh <= h_hi; ++oh)
        for (int ow = w_lo; ow <= w_hi; ++ow)
          sum += dy[((((long long)nb * g.a[1] + od) * g.a[2] + oh) * g.a[3] + ow) * C + c];
    dx[i] = sum * scale;
  }
}
`,
  );
}

/** Every pooling kernel source (for compile tests). */
export function allPoolKernels(): KernelSource[] {
  return [avgPoolKernel(), avgPoolGradKernel()];
}
