/**
 * Fast float32 versions of the pure-JS `cpu` backend's generic kernels, whose stock versions
 * compute a multi-index per element (`indexToLoc`, `buffer.get`) and dominate a U-Net training
 * step once convolutions are fast: broadcasting binary arithmetic (Add, Sub, Multiply, RealDiv,
 * Maximum, Minimum, SquaredDifference, Pow), reductions (Sum, Mean, Max) over any axes, data
 * movement (Slice, simple StridedSlice, PadV2, MirrorPad, Concat, SplitV, Transpose, Tile,
 * Reverse) and unpadded average pooling (AvgPool, AvgPool3D and their gradients).
 *
 * Nothing is registered on import: call {@link registerFastCpuGenericKernels} once the cpu backend
 * is chosen. Non-float32 inputs and cases not covered (padded or channels-first pooling, strided
 * slices) run the stock kernel, kept as the fallback.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { registerFastCpuGenericKernels } from "./cpu_generic.ts";
 * await tf.setBackend("cpu");
 * registerFastCpuGenericKernels();
 * const y = tf.sub(tf.ones([2, 8, 8, 4, 4]), tf.mean(tf.ones([2, 8, 8, 4, 4]), [1, 2, 4], true));
 * ```
 * @module
 */
import { tf } from "../tf.ts";
import { avgPoolValid, avgPoolValidGrad, type PoolGeometry, poolOutShape } from "./cpu_avg_pool.ts";
import { BinaryOp, broadcastBinary } from "./cpu_broadcast.ts";
import { type CpuBackend, CpuKernelOverrides, floatValues, type KernelArgs } from "./cpu_kernel_overrides.ts";
import { concat, mirrorPad, pad, reverse, slice, split, tile, transpose } from "./cpu_layout.ts";
import { reduceAxes, type Reduction } from "./cpu_reduce.ts";
import { avgPoolWasm, WASM_POOL_MIN_SIZE } from "./wasm/mod.ts";

type Out = tf.TensorInfo | tf.TensorInfo[];
type Pad2 = [number, number];

const BINARY: [string, BinaryOp][] = [
  [tf.Add, BinaryOp.Add],
  [tf.Sub, BinaryOp.Sub],
  [tf.Multiply, BinaryOp.Mul],
  [tf.RealDiv, BinaryOp.Div],
  [tf.Maximum, BinaryOp.Max],
  [tf.Minimum, BinaryOp.Min],
  [tf.SquaredDifference, BinaryOp.SquaredDifference],
  [tf.Pow, BinaryOp.Pow],
];

const overrides = new CpuKernelOverrides(
  "core/backends/cpu_generic.ts",
  new Map<string, tf.KernelFunc>([
    ...BINARY.map(([name, op]): [string, tf.KernelFunc] => [name, (args) => binaryKernel(name, op, args)]),
    [tf.Sum, (args) => reduceKernel(tf.Sum, "sum", args)],
    [tf.Mean, (args) => reduceKernel(tf.Mean, "mean", args)],
    [tf.Max, (args) => reduceKernel(tf.Max, "max", args)],
    [tf.Slice, sliceKernel],
    [tf.StridedSlice, stridedSliceKernel],
    [tf.PadV2, padKernel],
    [tf.MirrorPad, mirrorPadKernel],
    [tf.Concat, concatKernel],
    [tf.SplitV, splitKernel],
    [tf.Transpose, transposeKernel],
    [tf.Tile, tileKernel],
    [tf.Reverse, reverseKernel],
    [tf.AvgPool, (args) => avgPoolKernel(tf.AvgPool, args)],
    [tf.AvgPoolGrad, (args) => avgPoolKernel(tf.AvgPoolGrad, args)],
    [tf.AvgPool3D, (args) => avgPoolKernel(tf.AvgPool3D, args)],
    [tf.AvgPool3DGrad, (args) => avgPoolKernel(tf.AvgPool3DGrad, args)],
  ]),
);

/** Names of the kernels this module replaces on the cpu backend. */
export const FAST_CPU_GENERIC_KERNELS: readonly string[] = overrides.names;

/**
 * Replaces the cpu backend's generic kernels ({@link FAST_CPU_GENERIC_KERNELS}) with the fast
 * ones. Idempotent; the replaced configs are kept as the fallback.
 *
 * @throws Error when a stock cpu kernel is missing (tfjs-backend-cpu not loaded).
 */
export function registerFastCpuGenericKernels(): void {
  overrides.register();
}

/** Puts the stock kernels back (a no-op for kernels not replaced); for tests and benchmarks. */
export function unregisterFastCpuGenericKernels(): void {
  overrides.unregister();
}

/** True when the fast kernel named `name` is the one the cpu backend dispatches to now. */
export function isFastCpuGenericKernelActive(name: string): boolean {
  return overrides.isActive(name);
}

function make(args: KernelArgs, shape: number[], values: Float32Array): tf.TensorInfo {
  return (args.backend as CpuBackend).makeTensorInfo(shape, "float32", values);
}

function values(args: KernelArgs, t: tf.TensorInfo | undefined): Float32Array | undefined {
  return floatValues(args.backend as CpuBackend, t);
}

function binaryKernel(name: string, op: BinaryOp, args: KernelArgs): Out {
  const { a, b } = args.inputs;
  const av = values(args, a), bv = values(args, b);
  if (!a || !b || !av || !bv) return overrides.runStock(name, args);
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  return make(args, outShape, broadcastBinary(op, av, a.shape, bv, b.shape, outShape));
}

function reduceKernel(name: string, kind: Reduction, args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  if (!x || !xv || xv.length === 0) return overrides.runStock(name, args);
  const attrs = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[] };
  const keepDims = (args.attrs as { keepDims?: boolean }).keepDims ?? false;
  // A missing axis means all axes (parseAxisParam maps null/undefined to every axis).
  const axisAttr = (name === tf.Max ? attrs.reductionIndices : attrs.axis) as number | number[];
  const axes = [...new Set(tf.util.parseAxisParam(axisAttr, x.shape))];
  const out = reduceAxes(kind, xv, x.shape, axes);
  const shape = x.shape.map((n, d) => (axes.includes(d) ? (keepDims ? 1 : -1) : n)).filter((n) => n >= 0);
  return make(args, shape, out);
}

function sliceKernel(args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  if (!x || !xv) return overrides.runStock(tf.Slice, args);
  const { begin, size } = args.attrs as unknown as tf.SliceAttrs;
  const [b, s] = tf.slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
  tf.slice_util.assertParamsValid(x, b, s);
  return make(args, s, slice(xv, x.shape, b, s));
}

function stridedSliceKernel(args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  if (!x || !xv) return overrides.runStock(tf.StridedSlice, args);
  const a = args.attrs as unknown as tf.StridedSliceAttrs;
  const info = tf.slice_util.sliceInfo(
    x.shape,
    a.begin,
    a.end,
    a.strides,
    a.beginMask,
    a.endMask,
    a.ellipsisMask,
    a.newAxisMask,
    a.shrinkAxisMask,
  );
  // Identity (a reshape) and strided cases stay with the stock kernel.
  if (info.isIdentity || !(info.sliceDim0 || info.isSimpleSlice) || x.shape.length < 1) {
    return overrides.runStock(tf.StridedSlice, args);
  }
  const size = tf.slice_util.computeOutShape(info.begin, info.end, info.strides);
  if (size.some((n) => n < 0)) return overrides.runStock(tf.StridedSlice, args);
  return make(args, info.finalShape, slice(xv, x.shape, info.begin, size));
}

function padKernel(args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  if (!x || !xv) return overrides.runStock(tf.PadV2, args);
  const { paddings, constantValue } = args.attrs as unknown as { paddings: Pad2[]; constantValue: number };
  if (paddings.some(([p, q]) => p < 0 || q < 0)) return overrides.runStock(tf.PadV2, args);
  const shape = x.shape.map((n, d) => paddings[d]![0] + n + paddings[d]![1]);
  return make(args, shape, pad(xv, x.shape, paddings, constantValue));
}

function mirrorPadKernel(args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  if (!x || !xv) return overrides.runStock(tf.MirrorPad, args);
  const { paddings, mode } = args.attrs as unknown as { paddings: Pad2[]; mode: "reflect" | "symmetric" };
  const shape = x.shape.map((n, d) => paddings[d]![0] + n + paddings[d]![1]);
  return make(args, shape, mirrorPad(xv, x.shape, paddings, mode));
}

function concatKernel(args: KernelArgs): Out {
  const list = (Array.isArray(args.inputs) ? args.inputs : Object.values(args.inputs)) as tf.TensorInfo[];
  const vals = list.map((t) => values(args, t));
  const first = list[0];
  if (first === undefined || vals.some((v) => v === undefined)) return overrides.runStock(tf.Concat, args);
  const { axis } = args.attrs as unknown as tf.ConcatAttrs;
  const ax = tf.util.parseAxisParam(axis, first.shape)[0]!;
  tf.backend_util.assertParamsConsistent(list.map((t) => t.shape), ax);
  const { values: out, shape } = concat(list.map((t, i) => ({ values: vals[i]!, shape: t.shape })), ax);
  return make(args, shape, out);
}

function splitKernel(args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  if (!x || !xv) return overrides.runStock(tf.SplitV, args);
  const { numOrSizeSplits, axis } = args.attrs as unknown as tf.SplitVAttrs;
  const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
  return split(xv, x.shape, sizes, ax).map((v, i) =>
    make(args, x.shape.map((n, d) => (d === ax ? sizes[i]! : n)), v)
  );
}

function transposeKernel(args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  if (!x || !xv) return overrides.runStock(tf.Transpose, args);
  const { perm } = args.attrs as unknown as tf.TransposeAttrs;
  return make(args, perm.map((p) => x.shape[p]!), transpose(xv, x.shape, perm));
}

function tileKernel(args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  if (!x || !xv || reps.length !== x.shape.length) return overrides.runStock(tf.Tile, args);
  return make(args, x.shape.map((n, d) => n * reps[d]!), tile(xv, x.shape, reps));
}

function reverseKernel(args: KernelArgs): Out {
  const { x } = args.inputs;
  const xv = values(args, x);
  if (!x || !xv) return overrides.runStock(tf.Reverse, args);
  const { dims } = args.attrs as unknown as tf.ReverseAttrs;
  return make(args, [...x.shape], reverse(xv, x.shape, tf.util.parseAxisParam(dims, x.shape)));
}

/** The unpadded channels-last geometry of a pooling kernel call, or undefined (run stock then). */
function poolGeometry(name: string, args: KernelArgs, shape: number[]): PoolGeometry | undefined {
  const a = args.attrs as unknown as tf.AvgPool3DAttrs;
  const is3d = name === tf.AvgPool3D || name === tf.AvgPool3DGrad;
  if (is3d && a.dataFormat !== undefined && a.dataFormat !== "NDHWC") return undefined;
  if (shape.length !== (is3d ? 5 : 4)) return undefined;
  const info = is3d
    ? tf.backend_util.computePool3DInfo(
      shape as [number, number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    )
    : tf.backend_util.computePool2DInfo(
      shape as [number, number, number, number],
      a.filterSize as number | [number, number],
      a.strides as number | [number, number],
      1,
      a.pad,
      a.dimRoundingMode,
    );
  const p = info.padInfo;
  if (p.top !== 0 || p.bottom !== 0 || p.left !== 0 || p.right !== 0) return undefined;
  if ("front" in p && (p.front !== 0 || p.back !== 0)) return undefined;
  const deep = "inDepth" in info ? info : { inDepth: 1, filterDepth: 1, strideDepth: 1, outDepth: 1 };
  const g: PoolGeometry = {
    inShape: [info.batchSize, deep.inDepth, info.inHeight, info.inWidth, info.inChannels],
    window: [deep.filterDepth, info.filterHeight, info.filterWidth],
    strides: [deep.strideDepth, info.strideHeight, info.strideWidth],
  };
  // Only when tfjs's output size is the all-windows-inside one.
  const [, od, oh, ow] = poolOutShape(g);
  const fits = od === deep.outDepth && oh === info.outHeight && ow === info.outWidth;
  return fits ? g : undefined;
}

function avgPoolKernel(name: string, args: KernelArgs): Out {
  const isGrad = name === tf.AvgPoolGrad || name === tf.AvgPool3DGrad;
  const { x, dy, input } = args.inputs;
  const src = isGrad ? dy : x, shapeOf = isGrad ? input : x;
  const sv = values(args, src);
  const g = sv && shapeOf ? poolGeometry(name, args, shapeOf.shape) : undefined;
  if (!src || !sv || !shapeOf || !g) return overrides.runStock(name, args);
  const [b, od, oh, ow, c] = poolOutShape(g);
  const outShape = name === tf.AvgPool3D || name === tf.AvgPool3DGrad ? [b, od, oh, ow, c] : [b, oh, ow, c];
  // Non-overlapping windows of large tensors (the U-Net's down-sampling) run in the wasm kernels.
  const wasm = g.window.every((k, i) => k === g.strides[i]) && (isGrad ? shapeOf : src).shape.reduce(
        (a, d) => a * d,
        1,
      ) >= WASM_POOL_MIN_SIZE;
  if (!isGrad) {
    return make(args, outShape, wasm ? avgPoolWasm(sv, g.inShape, g.window, false) : avgPoolValid(sv, g));
  }
  if (src.shape.join() !== outShape.join()) {
    throw new Error(
      `core/backends/cpu_generic.ts: ${name}: dy has shape [${src.shape}], expected [${outShape}]`,
    );
  }
  return make(
    args,
    [...shapeOf.shape],
    wasm ? avgPoolWasm(sv, g.inShape, g.window, true) : avgPoolValidGrad(sv, g),
  );
}
