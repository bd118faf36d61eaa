/**
 * One U-Net convolution layer as one cpu kernel each way: reflect padding → weight-standardised convolution
 * (+ bias) → Swish → GroupNorm, forward (`UadConvLayer`) and backward (`UadConvLayerGrad`), in the
 * WebAssembly kernels of `src/`. The stock path runs about 40 tfjs kernels forward and 90 backward for the
 * same layer, each allocating its result.
 *
 * The forward kernel returns the layer's output; while a gradient is being recorded it keeps the convolution's
 * output z (before Swish) and the GroupNorm statistics per sample and group aside for the backward kernel.
 * Batches are processed a few samples at a time so that the scratch memory stays bounded.
 *
 * @example
 * ```ts
 * import { tf } from "../../tf.ts";
 * import { convLayer, registerWasmConvLayer } from "./conv_layer.ts";
 * await tf.setBackend("cpu");
 * registerWasmConvLayer();
 * const y = convLayer(tf.ones([2, 8, 8, 4]), tf.randomNormal([3, 3, 4, 8]), tf.zeros([8]), tf.ones([8]),
 *   tf.zeros([8]), 4, 1); // [2, 8, 8, 8]
 * ```
 * @module
 */
import { tf } from "../../tf.ts";
import type { CpuBackend, KernelArgs } from "../cpu_kernel_overrides.ts";
import { REDUCTION_SLOTS, WasmRuntime } from "./runtime.ts";
import { winogradConv, winogradFilterGrad, winogradPays } from "./winograd.ts";

/** The forward kernel's name: inputs x, w, b, gamma, beta; output y (z and the statistics kept aside). */
export const CONV_LAYER = "UadConvLayer";
/** The forward kernel on x and `skip` concatenated along channels: inputs as CONV_LAYER's and skip. */
export const CONV_LAYER_SKIP = "UadConvLayerSkip";
/**
 * The backward kernel's name: inputs dy, x, w, gamma, z, stats (and skip); outputs dx, dw, db, dgamma,
 * dbeta (and dskip).
 */
export const CONV_LAYER_GRAD = "UadConvLayerGrad";

/** Attributes of both kernels. */
interface LayerAttrs {
  /** GroupNorm groups. */
  groups: number;
  /** Reflect padding on each side of every spatial axis. */
  pad: number;
  /** Forward: keep z and the statistics for the gradient (false when none is being recorded); default true. */
  keep?: boolean;
}

/**
 * The conv output z and the GroupNorm statistics of each forward output that a gradient may need, by the
 * output's data id. Kept outside tfjs, so that the tape does not make zero gradients for them (a z-sized
 * allocation per layer and step); the entry goes when the output's data does.
 */
const saved = new WeakMap<
  tf.DataId,
  { z: Float32Array; zShape: number[]; stats: Float32Array; statsShape: number[] }
>();

/** Scratch floats a batch group may use (1 GiB): larger batches are processed a few samples at a time. */
let groupFloats = 1 << 28;

/**
 * Sets the scratch floats one batch group may use (default 2^28, 1 GiB) and returns the previous limit;
 * tests lower it to exercise the per-group loop.
 */
export function setConvLayerScratchLimit(floats: number): number {
  if (!(floats >= 1)) throw new Error(`conv layer scratch limit must be ≥ 1 float, got ${floats}`);
  const previous = groupFloats;
  groupFloats = floats;
  return previous;
}

/** Sizes of a layer, from x [B, (D,) H, W, Cx], the optional skip [B, (D,) H, W, Cs] and w [(k,) k, k, Cin, Cout]. */
interface Layer {
  B: number;
  /** Channels of x, and of the skip input concatenated after them (0: none); cin = cx + cs. */
  cx: number;
  cs: number;
  D: number;
  H: number;
  W: number;
  cin: number;
  cout: number;
  fd: number;
  fh: number;
  fw: number;
  pd: number;
  ph: number;
  pw: number;
  /** Output spatial sizes. */
  oD: number;
  oH: number;
  oW: number;
  groups: number;
}

function layerOf(
  xShape: readonly number[],
  wShape: readonly number[],
  attrs: LayerAttrs,
  skipShape?: readonly number[],
): Layer {
  const rank = xShape.length;
  if ((rank !== 4 && rank !== 5) || wShape.length !== rank) {
    throw new Error(`${CONV_LAYER}: x [${xShape}] and w [${wShape}] must both be rank 4 (2D) or rank 5 (3D)`);
  }
  if (skipShape && (skipShape.length !== rank || skipShape.some((d, i) => i < rank - 1 && d !== xShape[i]))) {
    throw new Error(`${CONV_LAYER}: skip [${skipShape}] must match x [${xShape}] except in channels`);
  }
  const cs = skipShape ? skipShape[rank - 1]! : 0;
  const [B, D, H, W, cx] = rank === 4 ? [xShape[0]!, 1, ...xShape.slice(1)] : xShape;
  const cin = cx! + cs;
  const [fd, fh, fw, wcin, cout] = rank === 4 ? [1, ...wShape] : wShape;
  const p = attrs.pad;
  const pd = rank === 4 ? 0 : p;
  if (wcin !== cin) {
    throw new Error(`${CONV_LAYER}: x${cs ? " and skip" : ""} have ${cin} channels, w expects ${wcin}`);
  }
  if (cout! % attrs.groups !== 0) {
    throw new Error(`${CONV_LAYER}: ${cout} channels do not split into ${attrs.groups} groups`);
  }
  for (const [n, name] of [[D!, "depth"], [H!, "height"], [W!, "width"]] as const) {
    if ((name !== "depth" || rank === 5) && n <= p) {
      throw new Error(`${CONV_LAYER}: reflect padding ${p} needs more than ${p} pixels along the ${name}`);
    }
  }
  const oD = D! + 2 * pd - fd! + 1, oH = H! + 2 * p - fh! + 1, oW = W! + 2 * p - fw! + 1;
  if (oD < 1 || oH < 1 || oW < 1) throw new Error(`${CONV_LAYER}: filter [${wShape}] larger than the input`);
  return {
    B: B!,
    cx: cx!,
    cs,
    D: D!,
    H: H!,
    W: W!,
    cin,
    cout: cout!,
    fd: fd!,
    fh: fh!,
    fw: fw!,
    pd,
    ph: p,
    pw: p,
    oD,
    oH,
    oW,
    groups: attrs.groups,
  };
}

function values(backend: CpuBackend, t: tf.TensorInfo | undefined, name: string): Float32Array {
  if (t === undefined) throw new Error(`${CONV_LAYER}: input '${name}' missing`);
  const v = backend.data.get(t.dataId).values;
  if (t.dtype !== "float32" || !(v instanceof Float32Array)) {
    throw new Error(`${CONV_LAYER}: input '${name}' must be float32, got ${t.dtype}`);
  }
  return v;
}

const roundUp = (v: number, to: number) => Math.ceil(v / to) * to;

/** Writes and runs a conv_fwd job: x [n, D, H, W, C] (already padded), packed weights → y. */
function convForward(
  rt: WasmRuntime,
  dims: [number, number, number, number, number],
  taps: [number, number, number],
  cout: number,
  x: number,
  packed: number,
  bias: number,
  y: number,
  label: string,
): void {
  const [n, D, H, W, C] = dims;
  const [fd, fh, fw] = taps;
  const M = n * (D - fd + 1) * (H - fh + 1) * (W - fw + 1);
  const K = fd * fh * fw * C;
  // Chunks of at least 96 pixels keep a weight panel in cache across 16 tiles; at least 4 per thread.
  let chunk = roundUp(Math.max(96, (1 << 19) / (K * cout)), 6);
  chunk = Math.min(chunk, Math.max(24, roundUp(Math.ceil(M / (4 * rt.threads)), 6)));
  const job = rt.job([0, Math.ceil(M / chunk), chunk, n, D, H, W, C, fd, fh, fw, cout, x, packed, bias, y]);
  rt.parallel("conv_fwd", job, label);
}

/** Pads x [n, D, H, W, C] by (pd, ph, pw) on each side, mirrored or with zeros, into y. */
function padInto(
  rt: WasmRuntime,
  dims: [number, number, number, number, number],
  pads: [number, number, number],
  reflect: boolean,
  x: number,
  y: number,
): void {
  const [n, D, H, W, C] = dims;
  const [pd, ph, pw] = pads;
  const job = rt.job([0, n * (D + 2 * pd), reflect ? 1 : 0, n, D, H, W, C, pd, ph, pw, x, y]);
  rt.parallel("pad", job, reflect ? "reflect pad" : "zero pad");
}

/**
 * How conv_bwd_filter splits n samples: [planes per chunk, rows per chunk, chunks]. A chunk of about 256
 * output pixels keeps its slice of the input in L1/L2 while every tap and channel walks it; planes are
 * whole samples in 2-D and depth slices of one sample in 3-D.
 */
function filterChunks(n: number, L: Layer): [number, number, number] {
  const pixels = 256, perPlane = L.oH * L.oW;
  if (perPlane >= pixels) {
    const rows = Math.min(L.oH, Math.ceil(pixels / L.oW));
    return [1, rows, n * L.oD * Math.ceil(L.oH / rows)];
  }
  const maxPlanes = L.D === 1 ? n : L.oD;
  // At least one chunk per reduction slot where there are enough planes (never the thread count: the
  // chunks decide how the sums are rounded).
  const planes = Math.max(1, Math.min(Math.ceil(pixels / perPlane), Math.floor(n * L.oD / REDUCTION_SLOTS)));
  const p = Math.min(planes, maxPlanes);
  return [p, L.oH, L.D === 1 ? Math.ceil(n / p) : n * Math.ceil(L.oD / p)];
}

/**
 * Copies samples [b0, b0 + n) of x (and of the skip input, concatenated along channels) into the arena;
 * returns the byte offset of [n, D, H, W, cin].
 */
function putInput(
  rt: WasmRuntime,
  L: Layer,
  xv: Float32Array,
  sv: Float32Array | undefined,
  b0: number,
  n: number,
) {
  const P = L.D * L.H * L.W;
  const xin = rt.put(xv.subarray(b0 * P * L.cx, (b0 + n) * P * L.cx));
  if (!sv) return xin;
  const skip = rt.put(sv.subarray(b0 * P * L.cs, (b0 + n) * P * L.cs));
  const cat = rt.alloc(n * P * L.cin);
  channelsJob(rt, n * P, L.cx, L.cs, false, xin, skip, cat);
  return cat;
}

/** Concatenates a [P, c1] and b [P, c2] along channels into cat, or splits cat into them. */
function channelsJob(
  rt: WasmRuntime,
  P: number,
  c1: number,
  c2: number,
  split: boolean,
  a: number,
  b: number,
  cat: number,
) {
  const pixels = Math.max(64, Math.ceil(P / (4 * rt.threads)));
  const job = rt.job([0, Math.ceil(P / pixels), pixels, P, c1, c2, split ? 1 : 0, a, b, cat]);
  rt.parallel("channels", job, split ? "split channels" : "concat channels");
}

/** Adds the direct kernel's filter gradient of x (padded) and dz into per-slot partial sums `parts`. */
function directFilterGrad(
  rt: WasmRuntime,
  n: number,
  L: Layer,
  padded: [number, number, number],
  xp: number,
  dz: number,
  parts: number,
): void {
  const [planes, rows, chunks] = filterChunks(n, L);
  const pack = rt.alloc(rt.threads * roundUp(L.cout, 8) * planes * rows * L.oW);
  const [Dp, Hp, Wp] = padded;
  const job = rt.job([
    0,
    chunks,
    planes,
    rows,
    n,
    Dp,
    Hp,
    Wp,
    L.cin,
    L.fd,
    L.fh,
    L.fw,
    L.cout,
    xp,
    dz,
    parts,
    pack,
  ]);
  rt.parallel("conv_bwd_filter", job);
}

/** True when the layer's convolutions run as Winograd F(2×2, 3×3) (2-D, 3×3 filters, enough channels). */
function useWinograd(L: Layer): boolean {
  return L.D === 1 && L.fd === 1 && L.fh === 3 && L.fw === 3 && winogradPays(L.cin, L.cout);
}

/** Samples processed together, so that `floatsPerSample` of scratch each fit the arena. */
function groupSize(batch: number, floatsPerSample: number): number {
  return Math.max(1, Math.min(batch, Math.floor(groupFloats / floatsPerSample)));
}

function forwardKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const { x, w, b, gamma, beta, skip } = args.inputs;
  const attrs = args.attrs as unknown as LayerAttrs;
  const L = layerOf(x!.shape, w!.shape, attrs, skip?.shape);
  const xv = values(backend, x, "x"), wv = values(backend, w, "w");
  const skipv = skip ? values(backend, skip, "skip") : undefined;
  const bv = values(backend, b, "b"),
    gv = values(backend, gamma, "gamma"),
    betav = values(backend, beta, "beta");
  const rt = WasmRuntime.get();
  const T = L.fd * L.fh * L.fw, K = T * L.cin, N = L.cout;
  const Dp = L.D + 2 * L.pd, Hp = L.H + 2 * L.ph, Wp = L.W + 2 * L.pw;
  const inSize = L.D * L.H * L.W * L.cin, padSize = Dp * Hp * Wp * L.cin, S = L.oD * L.oH * L.oW;
  const outSize = S * N;
  // Without a gradient to compute (scoring), z and the statistics are not kept.
  const keep = (args.attrs as unknown as LayerAttrs).keep !== false;
  const y = new Float32Array(L.B * outSize), z = new Float32Array(keep ? L.B * outSize : 0);
  const stats = new Float32Array(keep ? L.B * L.groups * 2 : 0);
  const mark = rt.mark();
  try {
    const wOff = rt.put(wv);
    const ws = rt.alloc(K * N);
    rt.call("wstd_fwd", wOff, K, N, ws);
    const winograd = useWinograd(L);
    const packed = winograd ? 0 : rt.alloc(roundUp(N, 8) * K);
    if (!winograd) rt.call("pack_weights", ws, T, L.cin, N, 0, packed);
    const bias = rt.put(bv), g = rt.put(gv), bt = rt.put(betav);
    const scratch = rt.alloc(rt.threads * 4 * N * 2);
    const nb = groupSize(L.B, 2 * inSize + padSize + 2 * outSize);
    const inner = rt.mark();
    for (let b0 = 0; b0 < L.B; b0 += nb) {
      rt.release(inner);
      const n = Math.min(nb, L.B - b0);
      const xin = putInput(rt, L, xv, skipv, b0, n);
      const xp = rt.alloc(n * padSize);
      padInto(rt, [n, L.D, L.H, L.W, L.cin], [L.pd, L.ph, L.pw], true, xin, xp);
      const zOff = rt.alloc(n * outSize);
      if (winograd) winogradConv(rt, [n, Hp, Wp, L.cin], N, xp, ws, false, bias, zOff, "conv forward");
      else {convForward(
          rt,
          [n, Dp, Hp, Wp, L.cin],
          [L.fd, L.fh, L.fw],
          N,
          xp,
          packed,
          bias,
          zOff,
          "conv forward",
        );}
      const yOff = rt.alloc(n * outSize), st = rt.alloc(n * L.groups * 2);
      rt.parallel("gn_swish_fwd", rt.job([0, n, S, N, L.groups, zOff, g, bt, yOff, st, scratch]));
      rt.readInto(yOff, n * outSize, y, b0 * outSize);
      if (keep) {
        rt.readInto(zOff, n * outSize, z, b0 * outSize);
        rt.readInto(st, n * L.groups * 2, stats, b0 * L.groups * 2);
      }
    }
  } finally {
    rt.release(mark);
  }
  const outShape = x!.shape.length === 4 ? [L.B, L.oH, L.oW, N] : [L.B, L.oD, L.oH, L.oW, N];
  const out = backend.makeTensorInfo(outShape, "float32", y);
  if (keep) saved.set(out.dataId, { z, zShape: outShape, stats, statsShape: [L.B, L.groups, 2] });
  return out;
}

function backwardKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const { dy, x, w, gamma, z, stats, skip } = args.inputs;
  const attrs = args.attrs as unknown as LayerAttrs;
  const L = layerOf(x!.shape, w!.shape, attrs, skip?.shape);
  const dyv = values(backend, dy, "dy"), xv = values(backend, x, "x"), wv = values(backend, w, "w");
  const skipv = skip ? values(backend, skip, "skip") : undefined;
  const gv = values(backend, gamma, "gamma"),
    zv = values(backend, z, "z"),
    sv = values(backend, stats, "stats");
  const rt = WasmRuntime.get();
  const T = L.fd * L.fh * L.fw, K = T * L.cin, N = L.cout, G = L.groups;
  const Dp = L.D + 2 * L.pd, Hp = L.H + 2 * L.ph, Wp = L.W + 2 * L.pw;
  const inSize = L.D * L.H * L.W * L.cin, padSize = Dp * Hp * Wp * L.cin, S = L.oD * L.oH * L.oW;
  const outSize = S * N;
  // The input gradient is conv_fwd of dz zero-padded by the filter size − 1.
  const [qd, qh, qw] = [L.fd - 1, L.fh - 1, L.fw - 1];
  const dzpSize = (L.oD + 2 * qd) * (L.oH + 2 * qh) * (L.oW + 2 * qw) * N;
  const P = L.D * L.H * L.W;
  const dx = new Float32Array(L.B * P * L.cx), dskip = new Float32Array(L.B * P * L.cs);
  let dw: Float32Array, db: Float32Array, dgamma: Float32Array, dbeta: Float32Array;
  const mark = rt.mark();
  try {
    const wOff = rt.put(wv);
    const ws = rt.alloc(K * N);
    rt.call("wstd_fwd", wOff, K, N, ws);
    const winograd = useWinograd(L);
    const flipped = winograd ? 0 : rt.alloc(roundUp(L.cin, 8) * T * N);
    if (!winograd) rt.call("pack_weights", ws, T, L.cin, N, 1, flipped);
    const g = rt.put(gv);
    const gnParts = rt.zeros(REDUCTION_SLOTS * 3 * N * 2), scratch = rt.alloc(rt.threads * 8 * N * 2);
    const sig = rt.alloc(rt.threads * outSize);
    // Filter gradient: per-slot partial sums (direct kernel) or one sum over batch groups (Winograd).
    const dwParts = rt.zeros((winograd ? 1 : REDUCTION_SLOTS) * K * N);
    const nb = groupSize(L.B, 3 * outSize + 4 * inSize + 2 * padSize + dzpSize);
    const inner = rt.mark();
    for (let b0 = 0; b0 < L.B; b0 += nb) {
      rt.release(inner);
      const n = Math.min(nb, L.B - b0);
      const dyOff = rt.put(dyv.subarray(b0 * outSize, (b0 + n) * outSize));
      const zOff = rt.put(zv.subarray(b0 * outSize, (b0 + n) * outSize));
      const st = rt.put(sv.subarray(b0 * G * 2, (b0 + n) * G * 2));
      const dz = rt.alloc(n * outSize);
      const job = rt.job([0, n, S, N, G, dyOff, zOff, g, st, dz, gnParts, scratch, sig]);
      rt.parallel("gn_swish_bwd", job);
      const xin = putInput(rt, L, xv, skipv, b0, n);
      const xp = rt.alloc(n * padSize);
      padInto(rt, [n, L.D, L.H, L.W, L.cin], [L.pd, L.ph, L.pw], true, xin, xp);
      if (winograd) winogradFilterGrad(rt, [n, Hp, Wp, L.cin], N, xp, dz, dwParts);
      else directFilterGrad(rt, n, L, [Dp, Hp, Wp], xp, dz, dwParts);
      const dzp = rt.alloc(n * dzpSize);
      padInto(rt, [n, L.oD, L.oH, L.oW, N], [qd, qh, qw], false, dz, dzp);
      const dxp = rt.alloc(n * padSize);
      const dzpDims: [number, number, number, number, number] = [
        n,
        L.oD + 2 * qd,
        L.oH + 2 * qh,
        L.oW + 2 * qw,
        N,
      ];
      if (winograd) {
        winogradConv(rt, [n, dzpDims[2], dzpDims[3], N], L.cin, dzp, ws, true, 0, dxp, "conv input grad");
      } else convForward(rt, dzpDims, [L.fd, L.fh, L.fw], L.cin, dzp, flipped, 0, dxp, "conv input grad");
      const dxOff = rt.alloc(n * inSize);
      const foldJob = rt.job([0, n * L.D, n, L.D, L.H, L.W, L.cin, L.pd, L.ph, L.pw, dxp, dxOff]);
      rt.parallel("fold", foldJob);
      if (skipv) {
        const dxa = rt.alloc(n * P * L.cx), dxb = rt.alloc(n * P * L.cs);
        channelsJob(rt, n * P, L.cx, L.cs, true, dxa, dxb, dxOff);
        rt.readInto(dxa, n * P * L.cx, dx, b0 * P * L.cx);
        rt.readInto(dxb, n * P * L.cs, dskip, b0 * P * L.cs);
      } else {
        rt.readInto(dxOff, n * inSize, dx, b0 * inSize);
      }
    }
    const dws = rt.alloc(K * N), dwOff = rt.alloc(K * N);
    rt.call("sum_parts", dwParts, winograd ? 1 : REDUCTION_SLOTS, K * N, K * N, dws);
    rt.call("wstd_bwd", wOff, dws, K, N, dwOff);
    dw = rt.read(dwOff, K * N);
    const parts = rt.readF64(gnParts, REDUCTION_SLOTS * 3 * N);
    const sum = (which: number) => {
      const out = new Float32Array(N);
      for (let t = 0; t < REDUCTION_SLOTS; t++) {
        for (let c = 0; c < N; c++) out[c]! += parts[(t * 3 + which) * N + c]!;
      }
      return out;
    };
    [dgamma, dbeta, db] = [sum(0), sum(1), sum(2)];
  } finally {
    rt.release(mark);
  }
  return [
    backend.makeTensorInfo([...x!.shape], "float32", dx),
    backend.makeTensorInfo([...w!.shape], "float32", dw),
    backend.makeTensorInfo([N], "float32", db),
    backend.makeTensorInfo([N], "float32", dgamma),
    backend.makeTensorInfo([N], "float32", dbeta),
    ...(skip ? [backend.makeTensorInfo([...skip.shape], "float32", dskip)] : []),
  ];
}

/** The gradients of {@linkcode CONV_LAYER} and {@linkcode CONV_LAYER_SKIP}: one {@linkcode CONV_LAYER_GRAD} each. */
function gradient(
  dy: tf.Tensor | tf.Tensor[],
  kept: tf.Tensor[],
  attrs: tf.NamedAttrMap,
): Record<string, () => tf.Tensor> {
  const [x, w, gamma] = kept;
  const skip = kept.length === 5 ? kept[3] : undefined;
  const y = kept.at(-1)!;
  const forward = saved.get(y.dataId);
  if (!forward) {
    throw new Error(
      `${CONV_LAYER}: the forward pass's intermediate values are gone (it ran without gradients)`,
    );
  }
  const inputs: tf.NamedTensorMap = {
    dy: dy as tf.Tensor,
    x: x!,
    w: w!,
    gamma: gamma!,
    z: tf.tensor(forward.z, forward.zShape),
    stats: tf.tensor(forward.stats, forward.statsShape),
  };
  if (skip) inputs.skip = skip;
  const [dx, dw, db, dgamma, dbeta, dskip] = tf.engine().runKernel(
    CONV_LAYER_GRAD,
    inputs,
    attrs,
  ) as tf.Tensor[];
  return {
    x: () => dx!,
    w: () => dw!,
    b: () => db!,
    gamma: () => dgamma!,
    beta: () => dbeta!,
    ...(dskip ? { skip: () => dskip } : {}),
  };
}

const KERNELS: [string, (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]][] = [
  [CONV_LAYER, forwardKernel],
  [CONV_LAYER_SKIP, forwardKernel],
  [CONV_LAYER_GRAD, backwardKernel],
];
let gradientsRegistered = false;

/** Registers the kernels for the cpu backend, and the forward kernels' gradients (idempotent). */
export function registerWasmConvLayer(): void {
  for (const [kernelName, kernelFunc] of KERNELS) {
    if (tf.getKernel(kernelName, "cpu") === undefined) {
      tf.registerKernel({
        kernelName,
        backendName: "cpu",
        kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      });
    }
  }
  if (!gradientsRegistered) {
    for (
      const [kernelName, inputsToSave] of [[CONV_LAYER, ["x", "w", "gamma"]], [CONV_LAYER_SKIP, [
        "x",
        "w",
        "gamma",
        "skip",
      ]]] as const
    ) {
      tf.registerGradient({
        kernelName,
        inputsToSave: [...inputsToSave],
        outputsToSave: [true],
        gradFunc: gradient,
      });
    }
    gradientsRegistered = true;
  }
}

/** Removes the kernels (tests and benchmarks compare with the stock path). */
export function unregisterWasmConvLayer(): void {
  for (const [name] of KERNELS) {
    if (tf.getKernel(name, "cpu") !== undefined) tf.unregisterKernel(name, "cpu");
  }
}

/** True when the active backend is cpu and the layer kernels are registered. */
export function isWasmConvLayerActive(): boolean {
  return tf.getBackend() === "cpu" && tf.getKernel(CONV_LAYER, "cpu") !== undefined;
}

/**
 * `groupNorm(swish(conv(reflectPad(x', pad), standardiseWeight(w), b)), groups, gamma, beta)` in one kernel
 * each way, where x' is x, or x and `skip` concatenated along channels; needs
 * {@linkcode isWasmConvLayerActive}. x [B, (D,) H, W, Cx], skip [B, (D,) H, W, Cs], w [(k,) k, k, Cin, Cout].
 */
export function convLayer(
  x: tf.Tensor,
  w: tf.Tensor,
  b: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  groups: number,
  pad: number,
  skip?: tf.Tensor,
): tf.Tensor {
  // Outside a gradient computation (scoring) z and the statistics need not be kept.
  const keep = (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
  const attrs = { groups, pad, keep } as unknown as tf.NamedAttrMap;
  return (skip
    ? tf.engine().runKernel(CONV_LAYER_SKIP, { x, w, b, gamma, beta, skip }, attrs)
    : tf.engine().runKernel(CONV_LAYER, { x, w, b, gamma, beta }, attrs)) as tf.Tensor;
}
