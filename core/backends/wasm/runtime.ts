/**
 * The WebAssembly kernels' runtime: one shared memory, the module instantiated on the main thread and on
 * worker threads over that memory, a scratch arena, and the dispatch of parallel jobs.
 *
 * A tfjs kernel copies its inputs into the arena, runs jobs, and copies its outputs out; the arena is reused
 * by the next kernel. A parallel job is a struct in the arena whose first field is a chunk counter: the main
 * thread and every worker that joins take chunks from it until none are left, so a worker that is slow to
 * wake (the machine is shared) costs nothing but its own share. The main thread never waits for a worker
 * that has not started on the job, only for one still finishing a chunk.
 *
 * Threads: `navigator.hardwareConcurrency`, or the `UAD_CPU_THREADS` environment variable; where workers
 * cannot be started everything runs on the main thread. With `UAD_WASM_CHECKS=1` every allocation is
 * followed by a canary that is verified after each kernel, so a kernel writing past a buffer fails loudly
 * (tests run the kernels this way on one thread, see checks_test.ts).
 *
 * @example
 * ```ts
 * import { WasmRuntime } from "./runtime.ts";
 * const rt = WasmRuntime.get();
 * const mark = rt.mark();
 * const w = rt.put(new Float32Array(9 * 4 * 8).fill(0.5)); // [3, 3, 4, 8]
 * const ws = rt.alloc(9 * 4 * 8);
 * rt.call("wstd_fwd", w, 36, 8, ws);
 * rt.release(mark);
 * ```
 * @module
 */
import { Worker } from "node:worker_threads";
import { KERNELS_WASM_BASE64 } from "./kernels_wasm.ts";

/** The exported functions that run as parallel jobs `(job, threadId)`, in a fixed order workers share. */
const PARALLEL = [
  "conv_fwd",
  "conv_bwd_filter",
  "pad",
  "fold",
  "gn_swish_fwd",
  "gn_swish_bwd",
  "gemm",
  "shuffle",
  "channels",
  "median_filter",
  "residual",
  "wino_input",
  "wino_output",
  "wino_dy",
  "avg_pool",
] as const;

/** A parallel kernel's name. */
export type ParallelKernel = typeof PARALLEL[number];

type Exports = Record<string, (...args: number[]) => void> & {
  __heap_base: WebAssembly.Global;
  __stack_pointer: WebAssembly.Global;
};

/**
 * Partial sums a reducing kernel keeps (src/common.h SLOTS): one per fixed range of chunks, not one per
 * thread, so that gradients are bit-identical for any thread count and any schedule.
 */
export const REDUCTION_SLOTS = 8;

const PAGE = 65536;
const STACK_BYTES = 65536;
/** Floats left readable after every arena allocation: kernels read up to 8 past the end of a buffer. */
const SLACK = 16;
/** The bit pattern of a canary float (a NaN no kernel produces). */
const CANARY = 0x7fc0dead;
// Control words shared with the workers: the job in hand, how many workers run it, how many are alive, a
// counter bumped at every job (a worker that sees no job for WORKER_IDLE_MS exits, so a realm that is gone,
// e.g. a terminated Web Worker, frees its memory), and each worker's state (STATE + tid: 0 starting,
// 1 waiting for jobs, 2 exited).
const GEN = 0, FN = 1, JOB = 2, OPEN = 3, ACTIVE = 4, READY = 5, BEAT = 6, STATE = 8, CTRL_WORDS = 64;
/** Polls of the generation word a worker makes before sleeping (about 20 µs). */
const WORKER_SPIN = 2000;
/** A worker that gets no job for this long (twice in a row) exits; the next job starts it again. */
const WORKER_IDLE_MS = 2000;

// The workers' program, as CommonJS for node:worker_threads' eval (no file to resolve, so bundles work too).
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { bytes, memory, ctrl, stackTop, tid, names, spin, idleMs } = workerData;
const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
instance.exports.__stack_pointer.value = stackTop;
const fns = names.map((n) => instance.exports[n]);
const c = new Int32Array(memory.buffer, ctrl, ${CTRL_WORDS});
let last = Atomics.load(c, ${GEN}), beat = Atomics.load(c, ${BEAT});
Atomics.store(c, ${STATE} + tid, 1);
Atomics.add(c, ${READY}, 1);
for (;;) {
  let g = Atomics.load(c, ${GEN});
  for (let i = 0; g === last && i < spin; i++) g = Atomics.load(c, ${GEN});
  if (g === last) {
    if (Atomics.wait(c, ${GEN}, last, idleMs) === "timed-out") {
      const now = Atomics.load(c, ${BEAT});
      if (now === beat) break;
      beat = now;
    }
    continue;
  }
  last = g;
  const fn = Atomics.load(c, ${FN}), job = Atomics.load(c, ${JOB});
  Atomics.add(c, ${ACTIVE}, 1);
  if (Atomics.load(c, ${OPEN}) === g) fns[fn](job, tid);
  Atomics.sub(c, ${ACTIVE}, 1);
  Atomics.notify(c, ${ACTIVE});
}
Atomics.sub(c, ${READY}, 1);
Atomics.store(c, ${STATE} + tid, 2);`;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no --allow-env: defaults
  }
}

let configuredThreads: number | undefined;

/**
 * Sets how many threads the wasm kernels use in this JS realm (a grid worker running one of several cells
 * at once should take its share of the cores); overrides `UAD_CPU_THREADS`. Call it before the first cpu
 * kernel runs.
 *
 * @throws Error when `n` is not a positive integer, or the kernels already started with another count.
 */
export function setCpuThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`cpu threads must be a positive integer, got ${n}`);
  if (WasmRuntime.started && WasmRuntime.get().threads !== n) {
    throw new Error(
      `the cpu kernels already run with ${WasmRuntime.get().threads} threads; set them before use`,
    );
  }
  configuredThreads = n;
}

function threadCount(): number {
  if (configuredThreads !== undefined) return configuredThreads;
  const requested = env("UAD_CPU_THREADS");
  if (requested !== undefined && requested !== "") {
    const n = Number(requested);
    if (!Number.isInteger(n) || n < 1) {
      throw new Error(`UAD_CPU_THREADS must be a positive integer, got '${requested}'`);
    }
    return n;
  }
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

const bits = new DataView(new ArrayBuffer(4));

/** The 32-bit integer with the bits of float32 `v`, for float fields of a job struct. */
export function floatBits(v: number): number {
  bits.setFloat32(0, v, true);
  return bits.getInt32(0, true);
}

/** The shared memory, the main thread's instance, the arena and the worker threads. */
export class WasmRuntime {
  static #instance: WasmRuntime | undefined;

  /** Threads that may work on a parallel job (the main thread included). */
  readonly threads: number;
  readonly #memory: WebAssembly.Memory;
  readonly #exports: Exports;
  readonly #parallel: ((job: number, tid: number) => void)[];
  readonly #ctrl: Int32Array;
  readonly #arenaStart: number;
  #top: number;
  #gen = 0;
  #f32: Float32Array;
  #i32: Int32Array;
  readonly #workers: Worker[] = [];
  #bytes: Uint8Array<ArrayBuffer> | undefined;
  #heapBase = 0;
  #profile: Map<string, number> | undefined;
  /** Byte offsets of the canaries after each allocation (only with UAD_WASM_CHECKS=1). */
  readonly #canaries: number[] | undefined;

  /** True once {@linkcode WasmRuntime.get} created the runtime. */
  static get started(): boolean {
    return WasmRuntime.#instance !== undefined;
  }

  /** The runtime, created (module compiled, workers started) on first use. */
  static get(): WasmRuntime {
    return WasmRuntime.#instance ??= new WasmRuntime(threadCount(), env("UAD_WASM_CHECKS") === "1");
  }

  private constructor(threads: number, checks: boolean) {
    this.#canaries = checks ? [] : undefined;
    const bytes = decodeBase64(KERNELS_WASM_BASE64);
    const module = new WebAssembly.Module(bytes);
    this.#memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.#memory } });
    this.#exports = instance.exports as unknown as Exports;
    this.#parallel = PARALLEL.map((n) => this.#exports[n]!);
    const heapBase = this.#exports.__heap_base.value as number;
    const ctrl = heapBase + (threads - 1) * STACK_BYTES;
    this.#arenaStart = this.#top = ctrl + CTRL_WORDS * 4;
    this.#f32 = new Float32Array(this.#memory.buffer);
    this.#i32 = new Int32Array(this.#memory.buffer);
    this.#ctrl = new Int32Array(this.#memory.buffer, ctrl, CTRL_WORDS);
    this.threads = threads;
    this.#bytes = bytes;
    this.#heapBase = heapBase;
    for (let t = 1; t < threads && this.#spawn(t); t++);
  }

  /** Starts worker `t`; false when workers cannot be started (e.g. permissions: the main thread works alone). */
  #spawn(t: number): boolean {
    try {
      Atomics.store(this.#ctrl, STATE + t, 0);
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          bytes: this.#bytes,
          memory: this.#memory,
          ctrl: this.#ctrl.byteOffset,
          stackTop: this.#heapBase + t * STACK_BYTES,
          tid: t,
          names: PARALLEL,
          spin: WORKER_SPIN,
          idleMs: WORKER_IDLE_MS,
        },
      });
      // Idle workers must not keep the process alive.
      worker.unref();
      this.#workers[t - 1] = worker;
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Starts (`true`) or stops (`false`) timing every parallel job and copy by name; returns the milliseconds
   * accumulated since the last start (empty when it was not on). For profiles; off by default.
   */
  profile(on: boolean): Map<string, number> {
    const times = this.#profile ?? new Map<string, number>();
    this.#profile = on ? new Map() : undefined;
    return times;
  }

  #time(label: string, t0: number): void {
    const p = this.#profile;
    if (p) p.set(label, (p.get(label) ?? 0) + performance.now() - t0);
  }

  /** Worker threads running and waiting for jobs (they start asynchronously). */
  get workersReady(): number {
    return Atomics.load(this.#ctrl, READY);
  }

  /**
   * Resolves once every worker started (or after `timeoutMs`): a worker needs the main thread's event loop to
   * start, so code that then runs kernels without awaiting anything would otherwise run on one thread.
   */
  async whenReady(timeoutMs = 5000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.workersReady < this.#workers.length && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** The whole memory as floats (index = byte offset / 4); valid until the next allocation. */
  get f32(): Float32Array {
    return this.#f32;
  }

  /** The whole memory as 32-bit integers; valid until the next allocation. */
  get i32(): Int32Array {
    return this.#i32;
  }

  /** The arena's current top, to {@linkcode release} everything allocated after it. */
  mark(): number {
    return this.#top;
  }

  /** Frees every allocation made since `mark` was taken. */
  release(mark: number): void {
    if (mark < this.#arenaStart || mark > this.#top) throw new Error("wasm arena: bad mark");
    this.#top = mark;
    const c = this.#canaries;
    if (c) { while (c.length > 0 && c.at(-1)! >= mark) c.pop(); }
  }

  /** Throws when a canary was overwritten: `name` wrote past the end of a buffer. */
  #checkCanaries(name: string): void {
    for (const at of this.#canaries ?? []) {
      for (let i = 0; i < SLACK; i++) {
        if (this.#i32[at / 4 + i] !== CANARY) {
          throw new Error(
            `wasm kernels: '${name}' wrote past the end of a scratch buffer (at byte ${at + 4 * i})`,
          );
        }
      }
    }
  }

  /** Space for `n` floats (16-byte aligned, with slack after it); returns its byte offset. */
  alloc(n: number): number {
    const at = this.#top;
    const end = at + Math.ceil((n + SLACK) / 4) * 16;
    if (end > this.#memory.buffer.byteLength) {
      const pages = Math.ceil((end - this.#memory.buffer.byteLength) / PAGE);
      try {
        this.#memory.grow(Math.max(pages, Math.ceil(this.#memory.buffer.byteLength / PAGE / 4)));
      } catch {
        this.#memory.grow(pages); // the larger step did not fit under the 4 GiB limit
      }
      this.#f32 = new Float32Array(this.#memory.buffer);
      this.#i32 = new Int32Array(this.#memory.buffer);
    }
    this.#top = end;
    if (this.#canaries) {
      const canary = at + n * 4;
      this.#i32.fill(CANARY, canary / 4, canary / 4 + SLACK);
      this.#canaries.push(canary);
    }
    return at;
  }

  /** Space for `values`, filled with them; returns its byte offset. */
  put(values: Float32Array): number {
    const t0 = this.#profile ? performance.now() : 0;
    const at = this.alloc(values.length);
    this.#f32.set(values, at / 4);
    if (this.#profile) this.#time("copy in", t0);
    return at;
  }

  /** Zeroed space for `n` floats. */
  zeros(n: number): number {
    const at = this.alloc(n);
    this.#f32.fill(0, at / 4, at / 4 + n);
    return at;
  }

  /** A copy of `n` floats at byte offset `at`. */
  read(at: number, n: number): Float32Array {
    const out = new Float32Array(n); // TypedArray.slice of shared memory is several times slower than set
    this.readInto(at, n, out, 0);
    return out;
  }

  /** Copies `n` floats at byte offset `at` into `dst` from index `offset`. */
  readInto(at: number, n: number, dst: Float32Array, offset: number): void {
    const t0 = this.#profile ? performance.now() : 0;
    dst.set(this.#f32.subarray(at / 4, at / 4 + n), offset);
    if (this.#profile) this.#time("copy out", t0);
  }

  /** A copy of `n` doubles at byte offset `at` (8-byte aligned). */
  readF64(at: number, n: number): Float64Array {
    return new Float64Array(this.#memory.buffer, at, n).slice();
  }

  /** Writes a job struct of 32-bit integers (chunk counter first) and returns its byte offset. */
  job(fields: readonly number[]): number {
    const at = this.alloc(fields.length);
    this.#i32.set(fields, at / 4);
    return at;
  }

  /** Calls an exported function on the main thread only. */
  call(name: string, ...args: number[]): void {
    const fn = this.#exports[name];
    if (typeof fn !== "function") throw new Error(`wasm kernels: no function '${name}'`);
    fn(...args);
    if (this.#canaries) this.#checkCanaries(name);
  }

  /**
   * Runs the parallel kernel `name` on the job at byte offset `job` (a struct whose first two fields are the
   * chunk counter, set to 0 here, and the chunk count) with every thread that joins in time. `label` names
   * the job in profiles (default: the kernel's name).
   */
  parallel(name: ParallelKernel, job: number, label: string = name): void {
    const t0 = this.#profile ? performance.now() : 0;
    this.#dispatch(PARALLEL.indexOf(name), job);
    if (this.#profile) this.#time(label, t0);
    if (this.#canaries) this.#checkCanaries(name);
  }

  #dispatch(index: number, job: number): void {
    const fn = this.#parallel[index]!;
    Atomics.store(this.#i32, job / 4, 0);
    const c = this.#ctrl;
    Atomics.add(c, BEAT, 1);
    for (let t = 1; t <= this.#workers.length; t++) {
      if (Atomics.load(c, STATE + t) === 2) this.#spawn(t); // it exited after an idle spell
    }
    if (this.#workers.length === 0 || this.#i32[job / 4 + 1]! <= 1) {
      fn(job, 0);
      return;
    }
    const gen = this.#gen = (this.#gen % 0x3fffffff) + 1;
    Atomics.store(c, FN, index);
    Atomics.store(c, JOB, job);
    Atomics.store(c, OPEN, gen);
    Atomics.store(c, GEN, gen);
    Atomics.notify(c, GEN);
    fn(job, 0);
    // Close the job to late workers, then wait for those that joined.
    Atomics.store(c, OPEN, 0);
    for (let active; (active = Atomics.load(c, ACTIVE)) !== 0;) Atomics.wait(c, ACTIVE, active, 5);
  }
}
