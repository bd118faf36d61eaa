/**
 * CUDA C generators for element-wise kernels: unary maps, binary maps with broadcasting over up to
 * `MAX_RANK` dimensions, select (where), casts and fills. Expressions use `x` (first input), `y` (second) and
 * `p0`, `p1` (scalar attributes such as alpha or clip bounds).
 *
 * @example
 * ```ts
 * import { binaryKernel } from "./elementwise_templates.ts";
 * const { name, source } = binaryKernel("Add", "float32");
 * ```
 * @module
 */
import { CUDA_DTYPES, type CudaDtype, type KernelSource, withPrelude } from "./template_prelude.ts";

/** A unary op: its float expression of `x` and, where ints are valid, its int expression. */
export interface UnaryOp {
  readonly f32: string;
  readonly i32?: string;
  /** Output is bool (e.g. IsNan). */
  readonly bool?: boolean;
}

/** Unary ops by tfjs kernel name. */
export const UNARY_OPS: Readonly<Record<string, UnaryOp>> = {
  Abs: { f32: "fabsf(x)", i32: "abs(x)" },
  Neg: { f32: "-x", i32: "-x" },
  Exp: { f32: "expf(x)" },
  Expm1: { f32: "expm1f(x)" },
  Log: { f32: "logf(x)" },
  Log1p: { f32: "log1pf(x)" },
  Sqrt: { f32: "sqrtf(x)" },
  Rsqrt: { f32: "rsqrtf(x)" },
  Reciprocal: { f32: "1.0f / x" },
  Square: { f32: "x * x", i32: "x * x" },
  Sigmoid: { f32: "1.0f / (1.0f + expf(-x))" },
  Tanh: { f32: "tanhf(x)" },
  Sin: { f32: "sinf(x)" },
  Cos: { f32: "cosf(x)" },
  Erf: { f32: "erff(x)" },
  Floor: { f32: "floorf(x)" },
  Ceil: { f32: "ceilf(x)" },
  Round: { f32: "rintf(x)" },
  Sign: { f32: "(x > 0.0f) ? 1.0f : ((x < 0.0f) ? -1.0f : 0.0f)", i32: "(x > 0) - (x < 0)" },
  Relu: { f32: "(x > 0.0f || x != x) ? x : 0.0f", i32: "x > 0 ? x : 0" },
  Relu6: { f32: "x != x ? x : fminf(fmaxf(x, 0.0f), 6.0f)", i32: "min(max(x, 0), 6)" },
  Elu: { f32: "x >= 0.0f ? x : expm1f(x)" },
  Selu: { f32: "x >= 0.0f ? 1.0507009873554805f * x : 1.7580993408473768f * expm1f(x)" },
  // Softplus as tfjs computes it: linear above -(log(eps) + 2), exp below log(eps) + 2 (eps = 2^-23).
  Softplus: { f32: "x > 13.942385f ? x : (x < -13.942385f ? expf(x) : logf(1.0f + expf(x)))" },
  LeakyRelu: { f32: "x < 0.0f ? p0 * x : x" },
  // Step: 1 above zero, alpha at or below, NaN kept.
  Step: { f32: "x != x ? x : (x > 0.0f ? 1.0f : p0)" },
  ClipByValue: { f32: "x != x ? x : fminf(fmaxf(x, p0), p1)" },
  IsNan: { f32: "x != x", bool: true },
};

/** A binary op: float and int expressions of `x`, `y`; `bool` output for comparisons. */
export interface BinaryOp {
  readonly f32: string;
  readonly i32?: string;
  readonly bool?: boolean;
  /** Inputs are bool (logical ops). */
  readonly boolIn?: boolean;
}

/** Binary ops by tfjs kernel name. */
export const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Add: { f32: "x + y", i32: "x + y" },
  Sub: { f32: "x - y", i32: "x - y" },
  Multiply: { f32: "x * y", i32: "x * y" },
  RealDiv: { f32: "x / y" },
  // NaN in either input propagates, as in tfjs's cpu kernels.
  Maximum: { f32: "(x > y || x != x) ? x : y", i32: "max(x, y)" },
  Minimum: { f32: "(x < y || x != x) ? x : y", i32: "min(x, y)" },
  Pow: { f32: "powf(x, y)" },
  SquaredDifference: { f32: "(x - y) * (x - y)", i32: "(x - y) * (x - y)" },
  FloorDiv: { f32: "floorf(x / y)", i32: "(int)floorf((float)x / (float)y)" },
  Mod: { f32: "fmodf(fmodf(x, y) + y, y)", i32: "((x % y) + y) % y" },
  Atan2: { f32: "atan2f(x, y)" },
  Equal: { f32: "x == y", i32: "x == y", bool: true },
  NotEqual: { f32: "x != y", i32: "x != y", bool: true },
  Less: { f32: "x < y", i32: "x < y", bool: true },
  LessEqual: { f32: "x <= y", i32: "x <= y", bool: true },
  Greater: { f32: "x > y", i32: "x > y", bool: true },
  GreaterEqual: { f32: "x >= y", i32: "x >= y", bool: true },
  LogicalAnd: { f32: "x && y", bool: true, boolIn: true },
  LogicalOr: { f32: "x || y", bool: true, boolIn: true },
};

function expression(op: UnaryOp | BinaryOp, dtype: CudaDtype, what: string): string {
  const expr = dtype === "float32" ? op.f32 : dtype === "int32" ? op.i32 : undefined;
  if (expr === undefined) throw new Error(`cuda backend: ${what} has no ${dtype} kernel`);
  return expr;
}

/** Output dtype of binary op `op` on `dtype` inputs. */
export function binaryOutDtype(op: string, dtype: CudaDtype): CudaDtype {
  return BINARY_OPS[op]?.bool ? "bool" : dtype;
}

/**
 * A unary kernel `un_<Op>_<sfx>(const T* a, U* out, int n, float p0, float p1)` over contiguous data.
 *
 * @throws Error for an unknown op or a dtype it has no expression for.
 */
export function unaryKernel(op: string, dtype: CudaDtype): KernelSource {
  const def = UNARY_OPS[op];
  if (def === undefined) throw new Error(`cuda backend: unknown unary op '${op}'`);
  const expr = expression(def, dtype, op);
  const t = CUDA_DTYPES[dtype];
  const out = def.bool ? CUDA_DTYPES.bool.c : t.c;
  const name = `un_${op}_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const ${t.c}* __restrict__ a, ${out}* __restrict__ out, int n, float p0, float p1) {
  GRID_STRIDE_LOOP(i, n) {
    const ${t.c} x = a[i];
    out[i] = (${out})(${expr});
  }
}
`,
  );
}

/**
 * A binary kernel `bin_<Op>_<sfx>(const T* a, const T* b, U* out, Geo g)`. `g.rank == 0`: both inputs
 * contiguous with n elements, except that `g.mode` 1 reads b[0] and 2 reads a[0] (scalar operand); otherwise
 * `g.a`/`g.b` are the broadcast strides of a and b over output dims `g.dims`.
 *
 * @throws Error for an unknown op or a dtype it has no expression for.
 */
export function binaryKernel(op: string, dtype: CudaDtype): KernelSource {
  const def = BINARY_OPS[op];
  if (def === undefined) throw new Error(`cuda backend: unknown binary op '${op}'`);
  if (def.boolIn && dtype !== "bool") throw new Error(`cuda backend: ${op} takes bool inputs, not ${dtype}`);
  const expr = def.boolIn ? def.f32 : expression(def, dtype, op);
  const t = CUDA_DTYPES[dtype];
  const out = def.bool ? CUDA_DTYPES.bool.c : t.c;
  const name = `bin_${op}_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const ${t.c}* __restrict__ a, const ${t.c}* __restrict__ b, ${out}* __restrict__ out, Geo g) {
  GRID_STRIDE_LOOP(i, g.n) {
    int ia = i, ib = i;
    if (g.rank == 0) {
      if (g.mode == 1) ib = 0;
      else if (g.mode == 2) ia = 0;
    } else {
      ia = geo_offset(g, i, g.a);
      ib = geo_offset(g, i, g.b);
    }
    const ${t.c} x = a[ia];
    const ${t.c} y = b[ib];
    out[i] = (${out})(${expr});
  }
}
`,
  );
}

/**
 * `sel_<sfx>(const bool* c, const T* a, const T* b, T* out, Geo g)`: out = c ? a : b with broadcast strides
 * `g.a`, `g.b`, `g.c` for a, b and the condition (rank 0: all contiguous).
 */
export function selectKernel(dtype: CudaDtype): KernelSource {
  const t = CUDA_DTYPES[dtype];
  const name = `sel_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const unsigned char* __restrict__ c, const ${t.c}* __restrict__ a, const ${t.c}* __restrict__ b, ${t.c}* __restrict__ out, Geo g) {
  GRID_STRIDE_LOOP(i, g.n) {
    const bool take_a = g.rank == 0 ? c[i] != 0 : c[geo_offset(g, i, g.c)] != 0;
    out[i] = take_a ? a[g.rank == 0 ? i : geo_offset(g, i, g.a)] : b[g.rank == 0 ? i : geo_offset(g, i, g.b)];
  }
}
`,
  );
}

/** `cast_<from>_<to>(const F* a, T* out, int n)`; to bool is `x != 0`, float to int truncates. */
export function castKernel(from: CudaDtype, to: CudaDtype): KernelSource {
  const f = CUDA_DTYPES[from], t = CUDA_DTYPES[to];
  const name = `cast_${f.suffix}_${t.suffix}`;
  const expr = to === "bool" ? "a[i] != 0" : `(${t.c})a[i]`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(const ${f.c}* __restrict__ a, ${t.c}* __restrict__ out, int n) {
  GRID_STRIDE_LOOP(i, n) out[i] = (${t.c})(${expr});
}
`,
  );
}

/** `fill_<sfx>(T* out, int n, float v)`: every element set to `v` converted to T. */
export function fillKernel(dtype: CudaDtype): KernelSource {
  const t = CUDA_DTYPES[dtype];
  const name = `fill_${t.suffix}`;
  return withPrelude(
    name,
    `extern "C" __global__ void ${name}(${t.c}* __restrict__ out, int n, float v) {
  GRID_STRIDE_LOOP(i, n) out[i] = (${t.c})v;
}
`,
  );
}

/** Every element-wise kernel source with a valid dtype combination (for compile tests and warm-up). */
export function allElementwiseKernels(): KernelSource[] {
  const dtypes: CudaDtype[] = ["float32", "int32", "bool"];
  const out: KernelSource[] = [];
  for (const [op, def] of Object.entries(UNARY_OPS)) {
    out.push(unaryKernel(op, "float32"));
    if (def.i32) out.push(unaryKernel(op, "int32"));
  }
  for (const [op, def] of Object.entries(BINARY_OPS)) {
    if (def.boolIn) out.push(binaryKernel(op, "bool"));
    else {
      out.push(binaryKernel(op, "float32"));
      if (def.i32) out.push(binaryKernel(op, "int32"));
    }
  }
  for (const d of dtypes) {
    out.push(selectKernel(d), fillKernel(d));
    for (const e of dtypes) if (d !== e) out.push(castKernel(d, e));
  }
  return out;
}
