/**
 * Convolutions (2-D and 3-D, forward and both gradients) on the webgpu backend as one tiled implicit-GEMM
 * WGSL program. Each case is a matrix product `C[M, N] = Σ_k A[m, k]·B[k, n]` whose operands are gathered
 * from the tensors on the fly (no im2col buffer):
 *
 * | kind     | A (gathered)          | B                  | C                    | K                    |
 * | -------- | --------------------- | ------------------ | -------------------- | -------------------- |
 * | forward  | x patches [B·O, F·Ci] | w [F·Ci, Co]       | y [B·O, Co]          | F·Ci                 |
 * | filter   | x patches [F·Ci, B·O] | dy [B·O, Co]       | dw [F·Ci, Co]        | B·O (long: split-K)  |
 * | input    | dy taps [B·I, F·Co]   | w as [F·Co, Ci]    | dx [B·I, Ci]         | F·Co                 |
 *
 * (O: output voxels, I: input voxels, F: filter taps.) A 2-D convolution is the 3-D one with depth 1. The
 * geometry is baked into the shader as constants (integer division by a constant is cheap), so each
 * distinct layer shape compiles one pipeline, cached by tfjs under the program's shader key. When the
 * output has few tiles and K is long (the filter gradient), K is split across workgroups ("split-K") into
 * a `[splits, M·N]` buffer that a second program sums.
 * @module
 */
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";
import type { tf } from "../../tf.ts";

/** Which convolution the GEMM computes (see the module table). */
export type ConvGemmKind = "forward" | "filter" | "input";

/** The geometry of a channels-last convolution; 2-D convolutions have depth, filter depth and strides 1. */
export interface ConvGeometry {
  /** Batch size. */
  readonly batch: number;
  /** Input spatial size [D, H, W] and channels. */
  readonly inShape: readonly [number, number, number];
  /** Input channels. */
  readonly inChannels: number;
  /** Output spatial size [D, H, W]. */
  readonly outShape: readonly [number, number, number];
  /** Output channels. */
  readonly outChannels: number;
  /** Filter size [D, H, W]. */
  readonly filterShape: readonly [number, number, number];
  /** Strides [D, H, W]. */
  readonly strides: readonly [number, number, number];
  /** Dilations [D, H, W]. */
  readonly dilations: readonly [number, number, number];
  /** Padding before each spatial axis [front, top, left]. */
  readonly padBefore: readonly [number, number, number];
}

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Conv3DInfo = ReturnType<typeof tf.backend_util.computeConv3DInfo>;

/** The geometry of a 2-D convolution from tfjs's conv info (channels-last). */
export function geometryFrom2D(info: Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inShape: [1, info.inHeight, info.inWidth],
    inChannels: info.inChannels,
    outShape: [1, info.outHeight, info.outWidth],
    outChannels: info.outChannels,
    filterShape: [1, info.filterHeight, info.filterWidth],
    strides: [1, info.strideHeight, info.strideWidth],
    dilations: [1, info.dilationHeight, info.dilationWidth],
    padBefore: [0, info.padInfo.top, info.padInfo.left],
  };
}

/** The geometry of a 3-D convolution from tfjs's conv info (channels-last). */
export function geometryFrom3D(info: Conv3DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inShape: [info.inDepth, info.inHeight, info.inWidth],
    inChannels: info.inChannels,
    outShape: [info.outDepth, info.outHeight, info.outWidth],
    outChannels: info.outChannels,
    filterShape: [info.filterDepth, info.filterHeight, info.filterWidth],
    strides: [info.strideDepth, info.strideHeight, info.strideWidth],
    dilations: [info.dilationDepth, info.dilationHeight, info.dilationWidth],
    padBefore: [info.padInfo.front, info.padInfo.top, info.padInfo.left],
  };
}

/** Workgroup is 16×16 threads; each thread computes ROWS × (TILE_N / 16) outputs. */
const THREADS = 16;
const ROWS = 4;
const TILE_M = THREADS * ROWS;
const TILE_K = 32;
/** Enough workgroups to fill a large GPU; split-K stops short of this when K is short. */
const TARGET_WORKGROUPS = 256;
/** Fewest K tiles a split handles, so partial sums stay a small fraction of the work. */
const MIN_TILES_PER_SPLIT = 8;

/** The matrix sizes of a convolution as a GEMM. */
export interface GemmSizes {
  /** Rows of C. */
  readonly m: number;
  /** Columns of C. */
  readonly n: number;
  /** The reduction length. */
  readonly k: number;
}

/** M, N and K of `kind` for geometry `g` (see the module table). */
export function gemmSizes(kind: ConvGemmKind, g: ConvGeometry): GemmSizes {
  const taps = g.filterShape[0] * g.filterShape[1] * g.filterShape[2];
  const outVoxels = g.batch * g.outShape[0] * g.outShape[1] * g.outShape[2];
  const inVoxels = g.batch * g.inShape[0] * g.inShape[1] * g.inShape[2];
  if (kind === "forward") return { m: outVoxels, n: g.outChannels, k: taps * g.inChannels };
  if (kind === "filter") return { m: taps * g.inChannels, n: g.outChannels, k: outVoxels };
  return { m: inVoxels, n: g.inChannels, k: taps * g.outChannels };
}

/** How a GEMM is tiled: the N tile width and the K split. */
export interface GemmPlan {
  /** Columns per tile: 16, 32 or 64 (narrow outputs waste fewer threads). */
  readonly tileN: number;
  /** Number of K ranges summed separately (1: no split). */
  readonly splits: number;
  /** K tiles (of 16) per split. */
  readonly tilesPerSplit: number;
}

/** Chooses the tile width and split-K factor for a GEMM of `sizes`. */
export function planGemm(sizes: GemmSizes): GemmPlan {
  const tileN = sizes.n > 32 ? 64 : sizes.n > 16 ? 32 : 16;
  const tiles = Math.ceil(sizes.m / TILE_M) * Math.ceil(sizes.n / tileN);
  const kTiles = Math.max(1, Math.ceil(sizes.k / TILE_K));
  const wanted = Math.ceil(TARGET_WORKGROUPS / tiles);
  const most = Math.max(1, Math.floor(kTiles / MIN_TILES_PER_SPLIT));
  const tilesPerSplit = Math.ceil(kTiles / Math.min(wanted, most));
  return { tileN, splits: Math.ceil(kTiles / tilesPerSplit), tilesPerSplit };
}

/** WGSL constants for the geometry, GEMM sizes and tiling. */
function constants(g: ConvGeometry, s: GemmSizes, p: GemmPlan): string {
  const values: [string, number][] = [
    ["cBatch", g.batch],
    ["cInD", g.inShape[0]],
    ["cInH", g.inShape[1]],
    ["cInW", g.inShape[2]],
    ["cInC", g.inChannels],
    ["cOutD", g.outShape[0]],
    ["cOutH", g.outShape[1]],
    ["cOutW", g.outShape[2]],
    ["cOutC", g.outChannels],
    ["cKD", g.filterShape[0]],
    ["cKH", g.filterShape[1]],
    ["cKW", g.filterShape[2]],
    ["cSD", g.strides[0]],
    ["cSH", g.strides[1]],
    ["cSW", g.strides[2]],
    ["cDD", g.dilations[0]],
    ["cDH", g.dilations[1]],
    ["cDW", g.dilations[2]],
    ["cPD", g.padBefore[0]],
    ["cPH", g.padBefore[1]],
    ["cPW", g.padBefore[2]],
    ["cM", s.m],
    ["cN", s.n],
    ["cK", s.k],
    ["cTileM", TILE_M],
    ["cTileN", p.tileN],
    ["cTileK", TILE_K],
    ["cKChunk", p.tilesPerSplit * TILE_K],
    ["cTilesPerSplit", p.tilesPerSplit],
  ];
  return values.map(([name, v]) => `const ${name}: i32 = ${v};`).join("\n");
}

/** x[b, od·s + f·d − pad, …, ci], or 0 in the padding. */
const GATHER_X = `
fn gatherX(b: i32, od: i32, oh: i32, ow: i32, fd: i32, fh: i32, fw: i32, ci: i32) -> f32 {
  let id = od * cSD + fd * cDD - cPD;
  let ih = oh * cSH + fh * cDH - cPH;
  let iw = ow * cSW + fw * cDW - cPW;
  if (id < 0 || id >= cInD || ih < 0 || ih >= cInH || iw < 0 || iw >= cInW) {
    return 0.0;
  }
  return x[(((b * cInD + id) * cInH + ih) * cInW + iw) * cInC + ci];
}`;

/** Splits a flat index into [b, d, h, w] of a [batch, D, H, W] grid. */
function splitVoxel(name: string, d: string, h: string, w: string): string {
  return `let ${name}W = ${name} % ${w}; let ${name}R1 = ${name} / ${w};
  let ${name}H = ${name}R1 % ${h}; let ${name}R2 = ${name}R1 / ${h};
  let ${name}D = ${name}R2 % ${d}; let ${name}B = ${name}R2 / ${d};`;
}

/** Splits a flat index into [fd, fh, fw, c] of a [KD, KH, KW, C] filter. */
function splitTap(name: string, c: string): string {
  return `let ${name}C = ${name} % ${c}; let ${name}R1 = ${name} / ${c};
  let ${name}W = ${name}R1 % cKW; let ${name}R2 = ${name}R1 / cKW;
  let ${name}H = ${name}R2 % cKH; let ${name}D = ${name}R2 / cKH;`;
}

/** The kind-specific loaders `loadA(m, k)` and `loadB(k, n)` (0 outside the matrices). */
function loaders(kind: ConvGemmKind): string {
  if (kind === "forward") {
    return `${GATHER_X}
fn loadA(m: i32, k: i32) -> f32 {
  if (m >= cM || k >= cK) { return 0.0; }
  ${splitVoxel("m", "cOutD", "cOutH", "cOutW")}
  ${splitTap("k", "cInC")}
  return gatherX(mB, mD, mH, mW, kD, kH, kW, kC);
}
fn loadB(k: i32, n: i32) -> f32 {
  if (k >= cK || n >= cN) { return 0.0; }
  return w[k * cN + n];
}`;
  }
  if (kind === "filter") {
    return `${GATHER_X}
fn loadA(m: i32, k: i32) -> f32 {
  if (m >= cM || k >= cK) { return 0.0; }
  ${splitTap("m", "cInC")}
  ${splitVoxel("k", "cOutD", "cOutH", "cOutW")}
  return gatherX(kB, kD, kH, kW, mD, mH, mW, mC);
}
fn loadB(k: i32, n: i32) -> f32 {
  if (k >= cK || n >= cN) { return 0.0; }
  return dy[k * cN + n];
}`;
  }
  return `
fn loadA(m: i32, k: i32) -> f32 {
  if (m >= cM || k >= cK) { return 0.0; }
  ${splitVoxel("m", "cInD", "cInH", "cInW")}
  ${splitTap("k", "cOutC")}
  // Input voxel i receives from output voxel o when i = o·s + f·d − pad.
  let td = mD + cPD - kD * cDD;
  let th = mH + cPH - kH * cDH;
  let tw = mW + cPW - kW * cDW;
  if (td < 0 || th < 0 || tw < 0 || td % cSD != 0 || th % cSH != 0 || tw % cSW != 0) { return 0.0; }
  let od = td / cSD;
  let oh = th / cSH;
  let ow = tw / cSW;
  if (od >= cOutD || oh >= cOutH || ow >= cOutW) { return 0.0; }
  return dy[(((mB * cOutD + od) * cOutH + oh) * cOutW + ow) * cOutC + kC];
}
fn loadB(k: i32, n: i32) -> f32 {
  if (k >= cK || n >= cN) { return 0.0; }
  // w is [taps, Ci, Co]; B[k = tap·Co + co, n = ci].
  let tap = k / cOutC;
  let co = k % cOutC;
  return w[(tap * cInC + n) * cOutC + co];
}`;
}

/**
 * The tile loops, unrolled in TypeScript so the accumulators are plain scalars (registers) on every
 * WGSL compiler. Tiles are stored k-major: `tileA[kk·TM + mm]`, `tileB[kk·TN + nn]`.
 */
function gemmBody(kind: ConvGemmKind, tileN: number): string {
  const cols = tileN / THREADS;
  const perThreadA = (TILE_M * TILE_K) / (THREADS * THREADS);
  const perThreadB = (tileN * TILE_K) / (THREADS * THREADS);
  // Neighbouring threads load neighbouring addresses: along m where A's m is the channel (filter), along
  // k where A's k is (forward, input); along n where B is row-major [K, N] (forward, filter).
  const aAlongM = kind === "filter";
  const bAlongN = kind !== "input";
  const lines: string[] = [];
  const acc = (r: number, c: number) => `acc${r}_${c}`;
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < cols; c++) lines.push(`var ${acc(r, c)} = 0.0;`);
  }
  const loadA: string[] = [];
  for (let i = 0; i < perThreadA; i++) {
    const e = `tid + ${i * THREADS * THREADS}`;
    const [mm, kk] = aAlongM
      ? [`(${e}) % cTileM`, `(${e}) / cTileM`]
      : [`(${e}) / cTileK`, `(${e}) % cTileK`];
    loadA.push(`{ let mm = ${mm}; let kk = ${kk};
      tileA[kk * cTileM + mm] = loadA(m0 + mm, select(cK, k0 + kk, k0 + kk < kEnd)); }`);
  }
  const loadB: string[] = [];
  for (let i = 0; i < perThreadB; i++) {
    const e = `tid + ${i * THREADS * THREADS}`;
    const [nn, kk] = bAlongN
      ? [`(${e}) % cTileN`, `(${e}) / cTileN`]
      : [`(${e}) / cTileK`, `(${e}) % cTileK`];
    loadB.push(`{ let nn = ${nn}; let kk = ${kk};
      tileB[kk * cTileN + nn] = loadB(select(cK, k0 + kk, k0 + kk < kEnd), n0 + nn); }`);
  }
  const inner: string[] = [];
  for (let r = 0; r < ROWS; r++) inner.push(`let a${r} = tileA[kk * cTileM + ty * ${ROWS} + ${r}];`);
  for (let c = 0; c < cols; c++) inner.push(`let b${c} = tileB[kk * cTileN + tx * ${cols} + ${c}];`);
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < cols; c++) inner.push(`${acc(r, c)} = fma(a${r}, b${c}, ${acc(r, c)});`);
  }
  const store: string[] = [];
  for (let r = 0; r < ROWS; r++) {
    for (let c = 0; c < cols; c++) {
      store.push(`{ let m = m0 + ty * ${ROWS} + ${r}; let n = n0 + tx * ${cols} + ${c};
        if (m < cM && n < cN) { result[split * cM * cN + m * cN + n] = ${acc(r, c)}; } }`);
    }
  }
  return `
var<workgroup> tileA: array<f32, ${TILE_M * TILE_K}>;
var<workgroup> tileB: array<f32, ${tileN * TILE_K}>;

fn main() {
  // Binds the uniforms, which tfjs always passes (the geometry is constant).
  _ = uniforms.NAN;
  let tx = i32(localId.x);
  let ty = i32(localId.y);
  let tid = ty * ${THREADS} + tx;
  let n0 = i32(workgroupId.x) * cTileN;
  let m0 = i32(workgroupId.y) * cTileM;
  let split = i32(workgroupId.z);
  let kBegin = split * cKChunk;
  let kEnd = min(cK, kBegin + cKChunk);
  ${lines.join("\n  ")}
  // A constant trip count keeps the barriers in uniform control flow.
  for (var t = 0; t < cTilesPerSplit; t++) {
    let k0 = kBegin + t * cTileK;
    ${loadA.join("\n    ")}
    ${loadB.join("\n    ")}
    workgroupBarrier();
    for (var kk = 0; kk < cTileK; kk++) {
      ${inner.join("\n      ")}
    }
    workgroupBarrier();
  }
  ${store.join("\n  ")}
}`;
}

/** The input names each kind binds, in order. */
const VARIABLES: Record<ConvGemmKind, [string, string]> = {
  forward: ["x", "w"],
  filter: ["x", "dy"],
  input: ["dy", "w"],
};

/** The tiled implicit-GEMM program; its output is C, or C's partial sums `[splits, M·N]` under split-K. */
export class ConvGemmProgram implements WebGPUProgram {
  /** Output tensor shape. */
  outputShape: number[];
  /** Cache key: everything baked into the shader. */
  shaderKey: string;
  /** x: N tiles, y: M tiles, z: K splits (a non-flat layout, so `main` takes no index). */
  dispatchLayout = { x: [1], y: [0] };
  /** Workgroups per axis. */
  dispatch: [number, number, number];
  /** Input buffer names. */
  variableNames: string[];
  /** Threads per workgroup. */
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  readonly #kind: ConvGemmKind;
  readonly #geometry: ConvGeometry;
  readonly #sizes: GemmSizes;
  readonly #plan: GemmPlan;

  /**
   * @param kind which convolution
   * @param geometry its geometry
   * @param outputShape C's tensor shape (used when there is no split)
   */
  constructor(kind: ConvGemmKind, geometry: ConvGeometry, outputShape: number[]) {
    this.#kind = kind;
    this.#geometry = geometry;
    this.#sizes = gemmSizes(kind, geometry);
    this.#plan = planGemm(this.#sizes);
    const { m, n } = this.#sizes;
    this.outputShape = this.#plan.splits > 1 ? [this.#plan.splits, m * n] : outputShape;
    this.variableNames = VARIABLES[kind];
    this.dispatch = [Math.ceil(n / this.#plan.tileN), Math.ceil(m / TILE_M), this.#plan.splits];
    const g = geometry;
    this.shaderKey = `fastConvGemm_${kind}_${g.batch}_${g.inShape}_${g.inChannels}_${g.outShape}_` +
      `${g.outChannels}_${g.filterShape}_${g.strides}_${g.dilations}_${g.padBefore}_` +
      `${this.#plan.tileN}_${this.#plan.splits}_${this.#plan.tilesPerSplit}`;
  }

  /** The number of K splits (1: the output is C itself). */
  get splits(): number {
    return this.#plan.splits;
  }

  /** The WGSL after tfjs's generated prelude. */
  getUserCode(): string {
    return `${constants(this.#geometry, this.#sizes, this.#plan)}
${loaders(this.#kind)}
${gemmBody(this.#kind, this.#plan.tileN)}`;
  }
}

/** Sums split-K partials `[splits, size]` into the output. */
export class SplitSumProgram implements WebGPUProgram {
  /** Output tensor shape. */
  outputShape: number[];
  /** Cache key. */
  shaderKey: string;
  /** Flat over the output. */
  dispatchLayout: { x: number[] };
  /** Workgroups per axis. */
  dispatch: [number, number, number];
  /** Input buffer names. */
  variableNames = ["partial"];
  /** Threads per workgroup. */
  workgroupSize: [number, number, number] = [64, 1, 1];
  readonly #splits: number;
  readonly #size: number;

  /**
   * @param splits number of partial sums per element
   * @param outputShape the summed tensor's shape
   */
  constructor(splits: number, outputShape: number[]) {
    this.outputShape = outputShape;
    this.#splits = splits;
    this.#size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(this.#size / 64), 1, 1];
    this.shaderKey = `fastSplitSum_${splits}_${this.#size}`;
  }

  /** The WGSL after tfjs's generated prelude. */
  getUserCode(): string {
    return `
fn main(index: i32) {
  _ = uniforms.NAN;
  if (index < ${this.#size}) {
    var sum = 0.0;
    for (var s = 0; s < ${this.#splits}; s++) {
      sum = sum + partial[s * ${this.#size} + index];
    }
    result[index] = sum;
  }
}`;
  }
}

/**
 * Runs convolution `kind` on the webgpu backend: `a` and `b` are the kind's inputs in the order of the
 * module table (forward: x, w; filter: x, dy; input: dy, w); returns a float32 tensor of `outputShape`.
 */
export function runConvGemm(
  backend: WebGPUBackend,
  kind: ConvGemmKind,
  geometry: ConvGeometry,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  outputShape: number[],
): tf.TensorInfo {
  const program = new ConvGemmProgram(kind, geometry, outputShape);
  const out = backend.runWebGPUProgram(program, [a, b], "float32");
  if (program.splits === 1) return out;
  const summed = backend.runWebGPUProgram(new SplitSumProgram(program.splits, outputShape), [out], "float32");
  backend.disposeData(out.dataId);
  return summed;
}
