/**
 * The U-Net's 2× up-convolution (transposed convolution with kernel = stride = 2) as one cpu kernel each
 * way, `UadUpConv` and `UadUpConvGrad`: a matrix product and an interleave in the WebAssembly kernels,
 * instead of tfjs's MatMul, Reshape, Transpose and bias Add (and Transpose, Sum and two MatMuls backward).
 * Same layout as core/nn/layers.ts's `upConv`: x [B, (D,) H, W, Cin], w [Cin, 2^rank·Cout], b [Cout].
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * import { registerWasmUpConv, upConvFused } from "./up_conv.ts";
 * await tf.setBackend("cpu");
 * registerWasmUpConv();
 * const y = upConvFused(tf.ones([1, 4, 4, 8]), tf.ones([8, 16]), tf.zeros([4])); // [1, 8, 8, 4]
 * ```
 * @module
 */
import { tf } from "../../tf.ts";
import { type CpuBackend, floatValues, type KernelArgs } from "../cpu_kernel_overrides.ts";
import { gemm, packedSize } from "./matmul.ts";
import { REDUCTION_SLOTS, WasmRuntime } from "./runtime.ts";

/** The forward kernel's name: inputs x, w, b; output y. */
export const UP_CONV = "UadUpConv";
/** The backward kernel's name: inputs dy, x, w; outputs dx, dw, db. */
export const UP_CONV_GRAD = "UadUpConvGrad";

/** Sizes of an up-convolution, from x and w. */
interface Sizes {
  rank: 2 | 3;
  B: number;
  D: number;
  H: number;
  W: number;
  cin: number;
  cout: number;
  /** Low-resolution voxels: rows of the product. */
  m: number;
  /** 2^rank·Cout: columns of the product. */
  n: number;
}

function sizesOf(x: readonly number[], w: readonly number[]): Sizes {
  const rank = x.length - 2;
  if ((rank !== 2 && rank !== 3) || w.length !== 2 || w[0] !== x.at(-1) || w[1]! % 2 ** rank !== 0) {
    throw new Error(
      `${UP_CONV}: x [${x}] and w [${w}] must be [B, ...S, Cin] (2 or 3 spatial axes) and [Cin, 2^r·Cout]`,
    );
  }
  const [B, D, H, W] = rank === 2 ? [x[0]!, 1, x[1]!, x[2]!] : [x[0]!, x[1]!, x[2]!, x[3]!];
  return { rank, B, D, H, W, cin: w[0]!, cout: w[1]! / 2 ** rank, m: B * D * H * W, n: w[1]! };
}

function values(args: KernelArgs, t: tf.TensorInfo | undefined, name: string): Float32Array {
  const v = floatValues(args.backend as CpuBackend, t);
  if (v === undefined) throw new Error(`${UP_CONV}: input '${name}' must be float32`);
  return v;
}

function shuffleJob(
  rt: WasmRuntime,
  s: Sizes,
  forward: boolean,
  c: number,
  y: number,
  bias: number,
  sums: number,
) {
  const job = rt.job([
    0,
    s.B * s.D * s.H,
    s.B,
    s.D,
    s.H,
    s.W,
    s.cout,
    s.rank,
    forward ? 1 : 0,
    c,
    y,
    bias,
    sums,
  ]);
  rt.parallel("shuffle", job, forward ? "up-conv interleave" : "up-conv gather");
}

function forwardKernel(args: KernelArgs): tf.TensorInfo {
  const { x, w, b } = args.inputs;
  const s = sizesOf(x!.shape, w!.shape);
  const xv = values(args, x, "x"), wv = values(args, w, "w"), bv = values(args, b, "b");
  if (bv.length !== s.cout) throw new Error(`${UP_CONV}: b has ${bv.length} values, expected ${s.cout}`);
  const rt = WasmRuntime.get();
  const y = new Float32Array(s.m * s.n);
  const mark = rt.mark();
  try {
    const xOff = rt.put(xv), wOff = rt.put(wv), bias = rt.put(bv);
    const packed = rt.alloc(packedSize(s.cin, s.n));
    rt.call("pack_panels", wOff, s.cin, s.n, 0, packed);
    const c = gemm(rt, s.m, s.n, s.cin, { a: xOff, ars: s.cin, acs: 1, b: packed }, "up-conv product");
    const yOff = rt.alloc(s.m * s.n);
    shuffleJob(rt, s, true, c, yOff, bias, 0);
    rt.readInto(yOff, s.m * s.n, y, 0);
  } finally {
    rt.release(mark);
  }
  const shape = s.rank === 2 ? [s.B, 2 * s.H, 2 * s.W, s.cout] : [s.B, 2 * s.D, 2 * s.H, 2 * s.W, s.cout];
  return (args.backend as CpuBackend).makeTensorInfo(shape, "float32", y);
}

function backwardKernel(args: KernelArgs): tf.TensorInfo[] {
  const { dy, x, w } = args.inputs;
  const s = sizesOf(x!.shape, w!.shape);
  const dyv = values(args, dy, "dy"), xv = values(args, x, "x"), wv = values(args, w, "w");
  const rt = WasmRuntime.get();
  let dx: Float32Array, dw: Float32Array;
  const db = new Float32Array(s.cout);
  const mark = rt.mark();
  try {
    const dyOff = rt.put(dyv), xOff = rt.put(xv), wOff = rt.put(wv);
    const dc = rt.alloc(s.m * s.n), sums = rt.zeros(REDUCTION_SLOTS * s.cout * 2);
    shuffleJob(rt, s, false, dc, dyOff, 0, sums);
    const partial = rt.readF64(sums, REDUCTION_SLOTS * s.cout);
    for (let t = 0; t < REDUCTION_SLOTS; t++) {
      for (let c = 0; c < s.cout; c++) db[c]! += partial[t * s.cout + c]!;
    }
    // dx = dC · wᵀ; dw = xᵀ · dC.
    const wT = rt.alloc(packedSize(s.n, s.cin));
    rt.call("pack_panels", wOff, s.n, s.cin, 1, wT);
    dx = rt.read(
      gemm(rt, s.m, s.cin, s.n, { a: dc, ars: s.n, acs: 1, b: wT }, "up-conv input grad"),
      s.m * s.cin,
    );
    const dcPacked = rt.alloc(packedSize(s.m, s.n));
    rt.call("pack_panels", dc, s.m, s.n, 0, dcPacked);
    const dwOff = gemm(
      rt,
      s.cin,
      s.n,
      s.m,
      { a: xOff, ars: 1, acs: s.cin, b: dcPacked },
      "up-conv filter grad",
    );
    dw = rt.read(dwOff, s.cin * s.n);
  } finally {
    rt.release(mark);
  }
  const backend = args.backend as CpuBackend;
  return [
    backend.makeTensorInfo([...x!.shape], "float32", dx),
    backend.makeTensorInfo([...w!.shape], "float32", dw),
    backend.makeTensorInfo([s.cout], "float32", db),
  ];
}

function gradient(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): Record<string, () => tf.Tensor> {
  const [x, w] = saved;
  const [dx, dw, db] = tf.engine().runKernel(UP_CONV_GRAD, {
    dy: dy as tf.Tensor,
    x: x!,
    w: w!,
  }) as tf.Tensor[];
  return { x: () => dx!, w: () => dw!, b: () => db! };
}

let gradientRegistered = false;

/** Registers both kernels for the cpu backend, and the forward kernel's gradient (idempotent). */
export function registerWasmUpConv(): void {
  for (
    const [kernelName, kernelFunc] of [[UP_CONV, forwardKernel], [UP_CONV_GRAD, backwardKernel]] as const
  ) {
    if (tf.getKernel(kernelName, "cpu") === undefined) {
      tf.registerKernel({
        kernelName,
        backendName: "cpu",
        kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      });
    }
  }
  if (!gradientRegistered) {
    tf.registerGradient({ kernelName: UP_CONV, inputsToSave: ["x", "w"], gradFunc: gradient });
    gradientRegistered = true;
  }
}

/** Removes both kernels (tests and benchmarks compare with the stock path). */
export function unregisterWasmUpConv(): void {
  for (const name of [UP_CONV, UP_CONV_GRAD]) {
    if (tf.getKernel(name, "cpu") !== undefined) tf.unregisterKernel(name, "cpu");
  }
}

/** True when the active backend is cpu and the up-convolution kernels are registered. */
export function isWasmUpConvActive(): boolean {
  return tf.getBackend() === "cpu" && tf.getKernel(UP_CONV, "cpu") !== undefined;
}

/** core/nn/layers.ts's `upConv` in one kernel each way; needs {@linkcode isWasmUpConvActive}. */
export function upConvFused(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(UP_CONV, { x, w, b }) as tf.Tensor;
}
