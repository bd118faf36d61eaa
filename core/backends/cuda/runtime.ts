/**
 * The device side of the `cuda` backend: one device, one non-blocking stream, the cuBLAS and cuDNN handles
 * bound to it, the caching allocator over cudaMallocAsync, host/device copies, and NVRTC compilation and
 * launch of the templated kernels (compiled once per kernel name, cached for the process).
 *
 * @module
 */
import { CachingAllocator } from "./allocator.ts";
import { CUDA_CONSTANTS as C } from "./ffi.ts";
import {
  checkCublas,
  checkCuda,
  checkCudnn,
  checkDriver,
  checkNvrtc,
  type CudaLibraries,
  openCudaLibraries,
  outHandle,
  toCString,
} from "./libraries.ts";
import type { KernelSource } from "./template_prelude.ts";

/** A kernel argument: a device address, an int32, a float32 or a packed geometry block. */
export type KernelArg =
  | { readonly ptr: bigint }
  | { readonly i32: number }
  | { readonly f32: number }
  | { readonly geo: Int32Array };

/** What the device reports about itself. */
export interface DeviceInfo {
  readonly name: string;
  readonly computeCapability: readonly [number, number];
  readonly multiprocessors: number;
  readonly runtimeVersion: number;
  readonly driverVersion: number;
}

/** One CUDA device with its stream, library handles, allocator and kernel cache. */
export class CudaRuntime {
  /** The opened libraries. */
  readonly libs: CudaLibraries;
  /** The stream every call is ordered on. */
  readonly stream: Deno.PointerValue;
  /** cuBLAS handle (TF32 tensor-op math). */
  readonly cublas: Deno.PointerValue;
  /** cuDNN handle. */
  readonly cudnn: Deno.PointerValue;
  /** Device description. */
  readonly info: DeviceInfo;
  /** The device memory allocator. */
  readonly allocator: CachingAllocator;
  readonly #functions = new Map<string, Deno.PointerValue>();
  readonly #modules: Deno.PointerValue[] = [];

  /**
   * Opens the libraries, selects device 0 and creates the stream and handles.
   *
   * @throws Error when a library is missing (listing where it looked) or no CUDA device is present.
   */
  constructor(libs: CudaLibraries = openCudaLibraries()) {
    this.libs = libs;
    const rt = libs.cudart;
    checkDriver(libs, libs.driver.cuInit(0), "cuInit");
    const count = new Int32Array(1);
    checkCuda(libs, rt.cudaGetDeviceCount(count), "cudaGetDeviceCount");
    if (count[0] === 0) throw new Error("cuda backend: no CUDA device found");
    checkCuda(libs, rt.cudaSetDevice(0), "cudaSetDevice");
    this.info = this.#deviceInfo();
    this.stream = outHandle((out) =>
      checkCuda(libs, rt.cudaStreamCreateWithFlags(out, C.cudaStreamNonBlocking), "cudaStreamCreateWithFlags")
    );
    // Keep freed memory in the driver's pool too, so cudaMallocAsync after a cache flush stays cheap.
    const pool = outHandle((out) =>
      checkCuda(libs, rt.cudaDeviceGetDefaultMemPool(out, 0), "cudaDeviceGetDefaultMemPool")
    );
    checkCuda(
      libs,
      rt.cudaMemPoolSetAttribute(
        pool,
        C.cudaMemPoolAttrReleaseThreshold,
        new BigUint64Array([0xffffffffffffffffn]),
      ),
      "cudaMemPoolSetAttribute",
    );
    this.cublas = outHandle((out) => checkCublas(libs, libs.cublas.cublasCreate_v2(out), "cublasCreate"));
    checkCublas(libs, libs.cublas.cublasSetStream_v2(this.cublas, this.stream), "cublasSetStream");
    checkCublas(
      libs,
      libs.cublas.cublasSetMathMode(this.cublas, C.CUBLAS_TF32_TENSOR_OP_MATH),
      "cublasSetMathMode",
    );
    this.cudnn = outHandle((out) => checkCudnn(libs, libs.cudnn.cudnnCreate(out), "cudnnCreate"));
    checkCudnn(libs, libs.cudnn.cudnnSetStream(this.cudnn, this.stream), "cudnnSetStream");
    this.allocator = new CachingAllocator({
      malloc: (bytes) => {
        const out = new BigUint64Array(1);
        checkCuda(libs, rt.cudaMallocAsync(out, BigInt(bytes), this.stream), `cudaMallocAsync(${bytes})`);
        return out[0]!;
      },
      free: (ptr) =>
        checkCuda(libs, rt.cudaFreeAsync(Deno.UnsafePointer.create(ptr), this.stream), "cudaFreeAsync"),
    });
  }

  #deviceInfo(): DeviceInfo {
    const { cudart: rt, driver } = this.libs;
    const attr = (a: number) => {
      const v = new Int32Array(1);
      checkCuda(this.libs, rt.cudaDeviceGetAttribute(v, a, 0), "cudaDeviceGetAttribute");
      return v[0]!;
    };
    const version = (f: (out: Int32Array<ArrayBuffer>) => number, call: string) => {
      const v = new Int32Array(1);
      checkCuda(this.libs, f(v), call);
      return v[0]!;
    };
    const name = new Uint8Array(256);
    checkDriver(this.libs, driver.cuDeviceGetName(name, name.length, 0), "cuDeviceGetName");
    return {
      name: new TextDecoder().decode(name.subarray(0, name.indexOf(0))),
      computeCapability: [
        attr(C.cudaDevAttrComputeCapabilityMajor),
        attr(C.cudaDevAttrComputeCapabilityMinor),
      ],
      multiprocessors: attr(C.cudaDevAttrMultiProcessorCount),
      runtimeVersion: version((v) => rt.cudaRuntimeGetVersion(v), "cudaRuntimeGetVersion"),
      driverVersion: version((v) => rt.cudaDriverGetVersion(v), "cudaDriverGetVersion"),
    };
  }

  /** Copies host bytes to the device (returns once the host buffer may be reused). */
  upload(dst: bigint, src: ArrayBufferView<ArrayBuffer>): void {
    if (src.byteLength === 0) return;
    checkCuda(
      this.libs,
      this.libs.cudart.cudaMemcpyAsyncHtoD(
        Deno.UnsafePointer.create(dst),
        new Uint8Array(src.buffer, src.byteOffset, src.byteLength),
        BigInt(src.byteLength),
        C.cudaMemcpyHostToDevice,
        this.stream,
      ),
      "cudaMemcpyAsync(host to device)",
    );
  }

  /** Copies device bytes into `dst` after all queued work (blocks this thread until done). */
  download(dst: ArrayBufferView<ArrayBuffer>, src: bigint): void {
    this.synchronize();
    if (dst.byteLength === 0) return;
    checkCuda(
      this.libs,
      this.libs.cudart.cudaMemcpyAsyncDtoH(
        new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength),
        Deno.UnsafePointer.create(src),
        BigInt(dst.byteLength),
        C.cudaMemcpyDeviceToHost,
        this.stream,
      ),
      "cudaMemcpyAsync(device to host)",
    );
    this.synchronize();
  }

  /** Copies `bytes` between device addresses, stream-ordered. */
  copyDevice(dst: bigint, src: bigint, bytes: number): void {
    if (bytes === 0) return;
    checkCuda(
      this.libs,
      this.libs.cudart.cudaMemcpyAsyncDtoD(
        Deno.UnsafePointer.create(dst),
        Deno.UnsafePointer.create(src),
        BigInt(bytes),
        C.cudaMemcpyDeviceToDevice,
        this.stream,
      ),
      "cudaMemcpyAsync(device to device)",
    );
  }

  /** Sets `bytes` at `dst` to zero, stream-ordered. */
  zero(dst: bigint, bytes: number): void {
    if (bytes === 0) return;
    checkCuda(
      this.libs,
      this.libs.cudart.cudaMemsetAsync(Deno.UnsafePointer.create(dst), 0, BigInt(bytes), this.stream),
      "cudaMemsetAsync",
    );
  }

  /** Waits for the stream on this thread. */
  synchronize(): void {
    checkCuda(this.libs, this.libs.cudart.cudaStreamSynchronize(this.stream), "cudaStreamSynchronize");
  }

  /** Waits for the stream on a worker thread. */
  async synchronizeAsync(): Promise<void> {
    checkCuda(
      this.libs,
      await this.libs.cudart.cudaStreamSynchronizeAsync(this.stream),
      "cudaStreamSynchronize",
    );
  }

  /** Milliseconds the stream spends on the work `f` queues. */
  async time(f: () => void): Promise<number> {
    const rt = this.libs.cudart;
    const start = outHandle((out) => checkCuda(this.libs, rt.cudaEventCreate(out), "cudaEventCreate"));
    const end = outHandle((out) => checkCuda(this.libs, rt.cudaEventCreate(out), "cudaEventCreate"));
    try {
      checkCuda(this.libs, rt.cudaEventRecord(start, this.stream), "cudaEventRecord");
      f();
      checkCuda(this.libs, rt.cudaEventRecord(end, this.stream), "cudaEventRecord");
      checkCuda(this.libs, await rt.cudaEventSynchronizeAsync(end), "cudaEventSynchronize");
      const ms = new Float32Array(1);
      checkCuda(this.libs, rt.cudaEventElapsedTime(ms, start, end), "cudaEventElapsedTime");
      return ms[0]!;
    } finally {
      rt.cudaEventDestroy(start);
      rt.cudaEventDestroy(end);
    }
  }

  /** Free and total device memory in bytes. */
  memInfo(): { free: number; total: number } {
    const free = new BigUint64Array(1), total = new BigUint64Array(1);
    checkCuda(this.libs, this.libs.cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
    return { free: Number(free[0]), total: Number(total[0]) };
  }

  /** The compiled function for `kernel`, compiling it with NVRTC on first use. */
  function(kernel: KernelSource): Deno.PointerValue {
    const cached = this.#functions.get(kernel.name);
    if (cached !== undefined) return cached;
    const ptx = this.#compile(kernel);
    const { driver } = this.libs;
    const module = outHandle((out) =>
      checkDriver(this.libs, driver.cuModuleLoadData(out, ptx), `cuModuleLoadData(${kernel.name})`)
    );
    this.#modules.push(module);
    const fn = outHandle((out) =>
      checkDriver(
        this.libs,
        driver.cuModuleGetFunction(out, module, toCString(kernel.name)),
        `cuModuleGetFunction(${kernel.name})`,
      )
    );
    this.#functions.set(kernel.name, fn);
    return fn;
  }

  #compile(kernel: KernelSource): Uint8Array<ArrayBuffer> {
    const { nvrtc } = this.libs;
    const progOut = new BigUint64Array(1);
    checkNvrtc(
      this.libs,
      nvrtc.nvrtcCreateProgram(
        progOut,
        toCString(kernel.source),
        toCString(`${kernel.name}.cu`),
        0,
        null,
        null,
      ),
      "nvrtcCreateProgram",
    );
    const prog = Deno.UnsafePointer.create(progOut[0]!);
    try {
      const [major, minor] = this.info.computeCapability;
      const options = [`--gpu-architecture=compute_${major}${minor}`, "--std=c++17"].map(toCString);
      const optionPtrs = new BigUint64Array(
        options.map((o) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(o)))),
      );
      const status = nvrtc.nvrtcCompileProgram(prog, options.length, optionPtrs);
      if (status !== 0) checkNvrtc(this.libs, status, `nvrtcCompileProgram(${kernel.name})`, this.#log(prog));
      const size = new BigUint64Array(1);
      checkNvrtc(this.libs, nvrtc.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize");
      const ptx = new Uint8Array(Number(size[0]));
      checkNvrtc(this.libs, nvrtc.nvrtcGetPTX(prog, ptx), "nvrtcGetPTX");
      return ptx;
    } finally {
      nvrtc.nvrtcDestroyProgram(progOut);
    }
  }

  #log(prog: Deno.PointerValue): string {
    const size = new BigUint64Array(1);
    if (this.libs.nvrtc.nvrtcGetProgramLogSize(prog, size) !== 0) return "";
    const log = new Uint8Array(Number(size[0]));
    this.libs.nvrtc.nvrtcGetProgramLog(prog, log);
    return new TextDecoder().decode(log.subarray(0, Math.max(0, log.indexOf(0))));
  }

  /**
   * Launches `kernel` on the stream with a 1-D grid of `blocks` blocks of `threads` threads.
   * Arguments are packed in 8-byte slots (geometry blocks at their full size); cuLaunchKernel copies them.
   */
  launch(kernel: KernelSource, blocks: number, threads: number, args: readonly KernelArg[]): void {
    const fn = this.function(kernel);
    const offsets: number[] = [];
    let bytes = 0;
    for (const arg of args) {
      offsets.push(bytes);
      bytes += "geo" in arg ? Math.ceil(arg.geo.byteLength / 8) * 8 : 8;
    }
    const storage = new ArrayBuffer(Math.max(bytes, 8));
    const view = new DataView(storage);
    args.forEach((arg, i) => {
      const at = offsets[i]!;
      if ("ptr" in arg) view.setBigUint64(at, arg.ptr, true);
      else if ("i32" in arg) view.setInt32(at, arg.i32, true);
      else if ("f32" in arg) view.setFloat32(at, arg.f32, true);
      else new Int32Array(storage, at, arg.geo.length).set(arg.geo);
    });
    const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(new Uint8Array(storage))));
    const params = new BigUint64Array(offsets.map((o) => base + BigInt(o)));
    checkDriver(
      this.libs,
      this.libs.driver.cuLaunchKernel(
        fn,
        Math.max(1, blocks),
        1,
        1,
        threads,
        1,
        1,
        0,
        this.stream,
        params,
        null,
      ),
      `cuLaunchKernel(${kernel.name})`,
    );
  }

  /** Blocks for an `n`-element grid-stride kernel: enough to fill the device, at most one per `threads`. */
  blocksFor(n: number, threads: number): number {
    return Math.max(1, Math.min(Math.ceil(n / threads), this.info.multiprocessors * 32));
  }

  /** Frees cached memory, handles, modules and the stream, and closes the libraries. */
  dispose(): void {
    this.synchronize();
    this.allocator.emptyCache();
    for (const m of this.#modules) this.libs.driver.cuModuleUnload(m);
    this.libs.cudnn.cudnnDestroy(this.cudnn);
    this.libs.cublas.cublasDestroy_v2(this.cublas);
    this.libs.cudart.cudaStreamSynchronize(this.stream);
    this.libs.cudart.cudaStreamDestroy(this.stream);
    this.libs.close();
  }
}
